package io.retinue.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.retinue.testing.Agents;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

/**
 * The alerting rules and the Grafana dashboard under {@code deploy/monitoring}: the rules pass {@code promtool check
 * rules} and their unit tests ({@code promtool test rules}); each dashboard query is valid PromQL (checked by promtool
 * as a recording rule, Grafana's variables given values); and every Retinue metric they name is one this build
 * exports (read from a real scrape after a run), so a renamed meter cannot leave an alert that never fires.
 */
class MonitoringAssetsIT extends PlatformIT {

    private static final Path RULES = Path.of("deploy/monitoring/prometheus/alerts.yaml");
    private static final Path RULE_TESTS = Path.of("deploy/monitoring/prometheus/alerts-test.yaml");
    private static final Path DASHBOARD = Path.of("deploy/monitoring/grafana/retinue.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:retinue|http_server|resilience4j)_[a-z0-9_]+)");

    @TempDir
    Path work;

    @Test
    void alertingRulesPassPromtoolAndTheirUnitTests() throws Exception {
        Result checked = promtool("check", "rules", RULES.toString());
        assertThat(checked.exit()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("SUCCESS: 8 rules found");
        Result tested = promtool("test", "rules", RULE_TESTS.toString());
        assertThat(tested.exit()).as(tested.output()).isZero();
    }

    @Test
    void everyDashboardQueryIsValidPromQl() throws Exception {
        List<String> queries = dashboardQueries();
        assertThat(queries).hasSizeGreaterThan(10);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String query = queries.get(i).replace("$__rate_interval", "5m").replace("$tenant", ".*")
                .replace("$agent", ".*");
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                .append(query.replace("'", "''")).append("'\n");
        }
        Path file = work.resolve("dashboard-rules.yaml");
        Files.writeString(file, rules);
        Result checked = promtool("check", "rules", file.toString());
        assertThat(checked.exit()).as(checked.output() + "\n" + rules).isZero();
    }

    @Test
    void everyMetricTheRulesAndDashboardNameIsExported() throws Exception {
        // A streamed run and a tool-using one: every kind of meter the rules and panels read has a series.
        tools.jackson.databind.node.ObjectNode agent = Agents.create("monitored-bot", Map.of());
        ((tools.jackson.databind.node.ObjectNode) agent.get("config")).set("tools", io.retinue.testing.Api.JSON
            .valueToTree(List.of(Map.of("name", "builtin.calculator"))));
        api.post("/api/v1/agents", agent).expect(201);
        api.post("/api/v1/agents/monitored-bot/versions/1/publish", "").expect(200);
        api.post("/api/v1/tool-grants", Map.of("subject", "agent:monitored-bot", "tools", "builtin.calculator",
                "effect", "allow")).expect(201);
        api.call("POST", "/api/v1/runs?mode=stream").json(Map.of("agent", "monitored-bot", "input", "hello",
                "variables", Map.of("company", "ACME"))).stream();
        api.post("/api/v1/runs", Map.of("agent", "monitored-bot", "input", "What is 6 * 7?", "variables",
                Map.of("company", "ACME"))).expect(201);
        String scrape = api.call("GET", "/actuator/prometheus").anonymous()
            .header("Authorization", "Bearer " + SCRAPE_TOKEN).send().expect(200).body();
        Set<String> exported = new TreeSet<>();
        scrape.lines().filter(line -> line.startsWith("# TYPE "))
            .forEach(line -> exported.add(family(line.split(" ")[2])));

        Set<String> named = new TreeSet<>();
        collect(Files.readString(RULES), named);
        dashboardQueries().forEach(query -> collect(query, named));
        // Rate limits refused and breakers opened only after their first refusal or outbound call; their names are
        // those of their meters all the same.
        named.remove("retinue_rate_limit_refusals");
        named.remove("resilience4j_circuitbreaker_state");
        assertThat(named).isNotEmpty().allSatisfy(metric -> assertThat(exported).as("%s is exported", metric)
            .contains(metric));
    }

    /** A series' metric family: its name without the histogram and counter suffixes. */
    private static void collect(String text, Set<String> names) {
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(family(matcher.group(1)));
        }
    }

    private static String family(String series) {
        return series.replaceAll("_(bucket|count|sum|total)$", "");
    }

    private static List<String> dashboardQueries() throws Exception {
        JsonNode dashboard = io.retinue.testing.Api.JSON.readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                queries.add(target.get("expr").asString());
            }
        }
        return queries;
    }

    private record Result(int exit, String output) {
    }

    private static Result promtool(String... arguments) throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/promtool"))
                || Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                    .anyMatch(folder -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, "promtool")));
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("promtool (Debian's prometheus) is required under CI=true");
            }
            Assumptions.abort("promtool is not installed (Debian's prometheus package)");
        }
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
