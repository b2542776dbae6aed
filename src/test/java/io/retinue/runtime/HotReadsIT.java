package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.runtime.internal.cache.Cached;
import io.retinue.shared.TenantId;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.StatementLog;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The reads every run makes of the agents and tools modules are cached in the runtime: runs of one agent read its spec
 * and the tools it may be offered once, and each change to them is what the very next run uses, as soon as the
 * request that made it was answered.
 */
class HotReadsIT extends PlatformIT {

    private static final String SPEC_READ = "FROM agents.agent a JOIN agents.agent_version v";
    private static final String GRANTS_READ = "FROM tools.tool_grant";

    @Autowired
    DataSource dataSource;

    @Autowired
    @Cached
    AgentCatalog cachedAgents;

    @Test
    void runsOfOneAgentReadItsSpecAndItsToolsOnce() {
        Api owner = newTenant(api, "hr").owner();
        String slug = publishedAgent(owner, List.of("builtin.calculator"));
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.*", "effect", "allow"))
            .expect(201);

        List<StatementLog.Sent> sent = recorded(() -> {
            for (int run = 0; run < 5; run++) {
                assertThat(run(owner, slug, null).json().at("/run/status").asString()).isEqualTo("completed");
            }
            return null;
        });
        Set<Long> runs = runThreads(sent);
        // Five runs, on up to five request threads (a thread may serve two of them in turn).
        assertThat(sent.stream().filter(statement -> statement.sql().startsWith("INSERT INTO runtime.run (")))
            .hasSize(5);
        List<String> read = sent.stream().filter(statement -> runs.contains(statement.thread()))
            .map(StatementLog.Sent::sql)
            .toList();
        assertThat(read.stream().filter(sql -> sql.contains(SPEC_READ))).as("%s", read).hasSize(1);
        assertThat(read.stream().filter(sql -> sql.contains(GRANTS_READ))).as("%s", read).hasSize(1);
    }

    @Test
    void theNextRunUsesWhatAChangeToTheAgentCommitted() {
        TestTenant tenant = newTenant(api, "hs");
        Api owner = tenant.owner();
        String slug = publishedAgent(owner, List.of());
        assertThat(version(run(owner, slug, null))).isEqualTo(1);
        List<StatementLog.Sent> sent = recorded(() -> run(owner, slug, null));
        Set<Long> runs = runThreads(sent);
        assertThat(sent).as("the spec is kept")
            .noneMatch(statement -> runs.contains(statement.thread()) && statement.sql().contains(SPEC_READ));

        owner.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-echo", 0.5), "two"))
            .expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/2/publish", "").expect(200);
        assertThat(version(run(owner, slug, null))).as("published, then run at once").isEqualTo(2);
        assertThat(version(run(owner, slug, 1))).as("pinned").isEqualTo(1);

        owner.post("/api/v1/agents/" + slug + "/rollback", Map.of("version", 1)).expect(200);
        assertThat(version(run(owner, slug, null))).as("rolled back").isEqualTo(1);

        TenantId id = new TenantId(tenant.id());
        assertThat(cachedAgents.spec(id, slug, 2)).map(AgentSpec::name).contains("Agent " + slug);
        owner.patch("/api/v1/agents/" + slug, Map.of("name", "Renamed")).expect(200);
        assertThat(cachedAgents.spec(id, slug, 2)).map(AgentSpec::name).as("renamed").contains("Renamed");

        owner.post("/api/v1/agents/" + slug + "/archive", Map.of()).expect(200);
        assertRefused(run(owner, slug, null));
        assertThat(version(run(owner, slug, 2))).as("a pinned version of an archived agent still runs").isEqualTo(2);

        owner.post("/api/v1/agents/" + slug + "/unarchive", Map.of()).expect(200);
        assertThat(version(run(owner, slug, null))).as("unarchived").isEqualTo(1);

        owner.delete("/api/v1/agents/" + slug).expect(204);
        assertRefused(run(owner, slug, null));
        assertRefused(run(owner, slug, 2));
    }

    @Test
    void theNextRunIsOfferedWhatAChangeToGrantsOrToolsCommitted() {
        Api owner = newTenant(api, "ht").owner();
        String tool = "ht.lookup";
        owner.post("/api/v1/tools", Map.of("name", tool, "description", "Looks up", "kind", "http", "inputSchema",
                Map.of("type", "object"), "http", Map.of("method", "POST", "url", "https://example.com/lookup")))
            .expect(201);
        String slug = publishedAgent(owner, List.of(tool));
        assertThat(withheld(run(owner, slug, null))).contains("no grant");
        List<StatementLog.Sent> sent = recorded(() -> assertThat(withheld(run(owner, slug, null))).contains("no grant"));
        Set<Long> runs = runThreads(sent);
        assertThat(sent).as("what the tools module answered is kept")
            .noneMatch(statement -> runs.contains(statement.thread()) && statement.sql().contains(GRANTS_READ));

        String grant = owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect",
                "allow")).expect(201).json().get("id").asString();
        assertThat(withheld(run(owner, slug, null))).as("granted").isNull();

        owner.post("/api/v1/tools/" + tool + "/disable", Map.of()).expect(200);
        assertThat(withheld(run(owner, slug, null))).as("disabled").contains("disabled");
        owner.post("/api/v1/tools/" + tool + "/enable", Map.of()).expect(200);
        assertThat(withheld(run(owner, slug, null))).as("enabled").isNull();

        owner.delete("/api/v1/tool-grants/" + grant).expect(204);
        assertThat(withheld(run(owner, slug, null))).as("revoked").contains("no grant");
    }

    private String publishedAgent(Api as, List<String> tools) {
        ObjectNode body = Agents.create(uniqueSlug("hot"), Map.of());
        ((ObjectNode) body.get("config")).set("tools",
                Api.JSON.valueToTree(tools.stream().map(tool -> Map.of("name", tool)).toList()));
        String slug = body.get("slug").asString();
        as.post("/api/v1/agents", body).expect(201);
        as.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        return slug;
    }

    private static Reply run(Api as, String agent, Integer version) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("agent", agent, "input", "Hello there",
                "variables", Map.of("company", "ACME")));
        if (version != null) {
            body.put("version", version);
        }
        return as.post("/api/v1/runs", body);
    }

    private static int version(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return reply.json().at("/run/agentVersion").asInt();
    }

    private static String withheld(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        JsonNode withheld = reply.json().at("/run/toolsWithheld");
        return withheld.isMissingNode() || withheld.isNull() ? null : withheld.toString();
    }

    private static void assertRefused(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(409);
        assertThat(reply.json().get("type").asString()).endsWith("/runtime/agent-not-runnable");
    }

    /** What the database was sent while {@code action} ran. */
    private List<StatementLog.Sent> recorded(Supplier<?> action) {
        StatementLog log = (StatementLog) dataSource;
        log.recording(true);
        try {
            action.get();
        }
        finally {
            log.recording(false);
        }
        return List.copyOf(log.sent());
    }

    /** The threads that served the runs: each inserted its run. */
    private static Set<Long> runThreads(List<StatementLog.Sent> sent) {
        return sent.stream()
            .filter(statement -> statement.sql().startsWith("INSERT INTO runtime.run ("))
            .map(StatementLog.Sent::thread)
            .collect(java.util.stream.Collectors.toSet());
    }
}
