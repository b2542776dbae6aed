package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/** Tools over real HTTP: registry, grants, validation, credentials, SSRF guard, limits, records. */
@ExtendWith(OutputCaptureExtension.class)
class ToolsIT extends PlatformIT {

    private final TestUpstream upstream = TestUpstream.shared();

    private String ns() {
        return "t" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, Object> httpTool(String name, String url, Map<String, Object> extra) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", name);
        tool.put("description", "Test tool " + name);
        tool.put("kind", "http");
        tool.put("inputSchema", Map.of("type", "object", "properties", Map.of("query", Map.of("type", "string"))));
        tool.put("http", Map.of("method", "GET", "url", url));
        tool.putAll(extra);
        return tool;
    }

    private void allow(Api as, String subject, String tools) {
        assertThat(as.post("/api/v1/tool-grants", Map.of("subject", subject, "tools", tools, "effect", "allow")).status())
            .isEqualTo(201);
    }

    private Reply invoke(Api as, String tool, Object arguments) {
        return as.post("/api/v1/tools/" + tool + "/invoke", Map.of("arguments", arguments));
    }

    private Api freshTenant() {
        return newTenant(api, "tt").owner();
    }

    @Test
    void builtinsRunOnceGrantedAndEverythingIsDeniedByDefault() {
        Api owner = freshTenant();
        Reply denied = invoke(owner, "builtin.calculator", Map.of("expression", "2*(3+4)"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("type").asString()).endsWith("/tools/permission-denied");
        assertThat(denied.json().get("detail").asString()).contains("default deny");

        allow(owner, "scope:runs:execute", "builtin.*");
        Reply sum = invoke(owner, "builtin.calculator", Map.of("expression", "2*(3+4)/4"));
        assertThat(sum.status()).as(sum.toString()).isEqualTo(200);
        assertThat(sum.json().at("/result/result").asString()).isEqualTo("3.5");
        assertThat(invoke(owner, "builtin.clock", Map.of("timezone", "Asia/Tokyo", "instant", "2026-01-01T00:00:00Z"))
            .json().at("/result/dateTime").asString()).isEqualTo("2026-01-01T09:00+09:00");
        assertThat(invoke(owner, "builtin.json_select", Map.of("document", Map.of("a", Map.of("b", 7)), "select",
                Map.of("seven", "/a/b"))).json().at("/result/seven").asInt()).isEqualTo(7);
        assertThat(invoke(owner, "builtin.http_get", Map.of("url", "https://example.com/")).json().get("detail").asString())
            .contains("allow-list");

        JsonNode executions = owner.get("/api/v1/tool-executions?tool=builtin.calculator").json().get("items");
        assertThat(executions.valueStream().map(e -> e.get("status").asString())).contains("denied", "completed");
        JsonNode completed = executions.valueStream().filter(e -> e.get("status").asString().equals("completed"))
            .findFirst().orElseThrow();
        assertThat(completed.get("arguments").isObject()).as("arguments as the JSON they are: " + completed).isTrue();
        assertThat(completed.get("result").isObject()).as("the result too: " + completed).isTrue();
        assertThat(owner.get("/api/v1/tool-permissions/decisions?tool=builtin.calculator").json().get("items")
            .valueStream().map(d -> d.get("effect").asString())).contains("deny", "allow");
        assertThat(owner.get("/api/v1/tools?kind=builtin").json().get("items")).hasSize(4);
    }

    @Test
    void argumentsAreValidatedWithEveryProblemNamed() {
        Api owner = freshTenant();
        allow(owner, "*", "builtin.calculator");
        Reply invalid = invoke(owner, "builtin.calculator", Map.of("expr", 1));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("type").asString()).endsWith("/tools/invalid-arguments");
        assertThat(invalid.json().get("errors").valueStream().map(e -> e.get("pointer").asString()))
            .containsExactlyInAnyOrder("/expression", "/expr");
        assertThat(invalid.json().get("executionId").asString()).isNotBlank();
        assertThat(invoke(owner, "builtin.calculator", Map.of("expression", "1/0")).json().get("type").asString())
            .endsWith("/tools/execution-failed");
    }

    @Test
    void httpToolsGetCredentialsInjectedAndNeverShowThem(CapturedOutput output) {
        Api owner = freshTenant();
        String secret = "sk-live-" + java.util.UUID.randomUUID();
        assertThat(owner.put("/api/v1/credentials/crm-token", Map.of("kind", "bearer", "fields", Map.of("value", secret)))
            .status()).isEqualTo(200);
        String name = ns() + ".echo";
        Reply registered = owner.post("/api/v1/tools", httpTool(name,
                "http://localhost:" + upstream.port() + "/echo?q={query}",
                Map.of("http", Map.of("method", "GET", "url", "http://localhost:" + upstream.port() + "/echo?q={query}",
                        "headers", Map.of("Authorization", "Bearer {{secret:crm-token}}")))));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        allow(owner, "scope:runs:execute", name);

        Reply result = invoke(owner, name, Map.of("query", "a b&c"));
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(result.json().at("/result/query").asString()).isEqualTo("q=a%20b%26c");
        assertThat(result.json().at("/result/authorization").asString()).isEqualTo("Bearer ****");
        assertThat(result.body()).doesNotContain(secret);
        assertThat(owner.get("/api/v1/credentials").body()).contains("crm-token").doesNotContain(secret);
        assertThat(owner.get("/api/v1/tools/" + name).body()).contains("{{secret:crm-token}}").doesNotContain(secret);
        assertThat(owner.get("/api/v1/tool-executions?tool=" + name).body()).doesNotContain(secret);
        assertThat(output.getAll()).doesNotContain(secret);
    }

    @Test
    void httpToolsPassTheCallsIdempotencyKeyDownstreamUnlessTheyNameTheirOwn() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String echo = "http://localhost:" + upstream.port() + "/echo";
        String plain = ns() + ".keyed";
        owner.post("/api/v1/tools", httpTool(plain, echo, Map.of()));
        Reply keyed = owner.post("/api/v1/tools/" + plain + "/invoke",
                Map.of("arguments", Map.of(), "idempotencyKey", "order-42"));
        assertThat(keyed.json().at("/result/idempotencyKey").asString()).as(keyed.toString()).isEqualTo("order-42");
        assertThat(invoke(owner, plain, Map.of()).json().at("/result/idempotencyKey").asString())
            .as("a call without a key sends none").isEqualTo("null");

        String own = ns() + ".own";
        owner.post("/api/v1/tools", httpTool(own, echo, Map.of("http", Map.of("method", "GET", "url", echo,
                "headers", Map.of("idempotency-key", "fixed-{query}")))));
        Reply fixed = owner.post("/api/v1/tools/" + own + "/invoke",
                Map.of("arguments", Map.of("query", "7"), "idempotencyKey", "order-43"));
        assertThat(fixed.json().at("/result/idempotencyKey").asString()).as(fixed.toString()).isEqualTo("fixed-7");
    }

    @Test
    void anIdempotencyKeyRepeatsOnlyTheCallItWasGivenFor() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String echo = "http://localhost:" + upstream.port() + "/echo";
        String first = ns() + ".first";
        String other = ns() + ".other";
        owner.post("/api/v1/tools", httpTool(first, echo + "?q={query}", Map.of())).expect(201);
        owner.post("/api/v1/tools", httpTool(other, echo + "?q={query}", Map.of())).expect(201);
        String key = "k-" + ns();
        Reply original = owner.post("/api/v1/tools/" + first + "/invoke",
                Map.of("arguments", Map.of("query", "private"), "idempotencyKey", key)).expect(200);
        assertThat(owner.post("/api/v1/tools/" + first + "/invoke",
                Map.of("arguments", Map.of("query", "private"), "idempotencyKey", key)).expect(200).json()
            .get("result")).as("the same call again answers as the first did").isEqualTo(original.json().get("result"));

        // Another tool's call, or another caller's, under the same key answers nothing of the first.
        Reply otherTool = owner.post("/api/v1/tools/" + other + "/invoke",
                Map.of("arguments", Map.of("query", "x"), "idempotencyKey", key));
        String viewerKey = owner.post("/api/v1/api-keys", Map.of("name", "runner", "role", "developer")).expect(201)
            .json().at("/secret").asString();
        Reply otherCaller = owner.as(viewerKey).post("/api/v1/tools/" + first + "/invoke",
                Map.of("arguments", Map.of("query", "x"), "idempotencyKey", key));
        for (Reply refused : List.of(otherTool, otherCaller)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(refused.json().get("type").asString()).endsWith("/idempotency-key-reused");
            assertThat(refused.body()).doesNotContain("private");
        }
    }

    @Test
    void anArgumentCannotNameACredential() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        owner.put("/api/v1/credentials/crm-token", Map.of("kind", "bearer", "fields", Map.of("value", "sk-do-not-send")));
        String echo = "http://localhost:" + upstream.port() + "/echo";
        String name = ns() + ".relay";
        Reply created = owner.post("/api/v1/tools", httpTool(name, echo, Map.of("http", Map.of("method", "GET",
                "url", echo, "query", Map.of("q", "{query}"), "headers", Map.of("X-Label", "label {query}")))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        Reply reply = invoke(owner, name, Map.of("query", "{{secret:crm-token}}"));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().at("/result/label").asString()).as("sent as the text it is")
            .isEqualTo("label {{secret:crm-token}}");
        assertThat(reply.json().at("/result/query").asString()).doesNotContain("sk-do-not-send").doesNotContain("****");
    }

    @Test
    void basicAndOAuthClientCredentialsAreInjectedAndMasked() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        owner.put("/api/v1/credentials/legacy", Map.of("kind", "basic", "fields", Map.of("username", "ada", "password", "pa55word")));
        owner.put("/api/v1/credentials/crm-oauth", Map.of("kind", "oauth_client", "fields", Map.of(
                "tokenUrl", "http://localhost:" + upstream.port() + "/oauth/token",
                "clientId", "retinue-client", "clientSecret", "client-s3cret")));
        String echo = "http://localhost:" + upstream.port() + "/echo";
        String basic = ns() + ".basic";
        String oauth = ns() + ".oauth";
        owner.post("/api/v1/tools", httpTool(basic, echo, Map.of("http", Map.of("method", "GET", "url", echo,
                "headers", Map.of("Authorization", "{{basic:legacy}}")))));
        owner.post("/api/v1/tools", httpTool(oauth, echo, Map.of("http", Map.of("method", "GET", "url", echo,
                "headers", Map.of("Authorization", "Bearer {{oauth:crm-oauth}}")))));

        assertThat(invoke(owner, basic, Map.of()).json().at("/result/authorization").asString()).isEqualTo("Basic ****");
        int before = upstream.tokenRequests();
        Reply first = invoke(owner, oauth, Map.of());
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().at("/result/authorization").asString()).isEqualTo("Bearer ****");
        invoke(owner, oauth, Map.of());
        assertThat(upstream.tokenRequests() - before).as("the token is cached").isEqualTo(1);
    }

    @Test
    void internalAddressesAreRefusedAlsoBehindNamesAndRedirects() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        int port = upstream.port();
        Map<String, String> targets = Map.of(
                "loopback", "http://127.0.0.1:" + port + "/ok",
                "metadata", "http://169.254.169.254/latest/meta-data/",
                "name", "http://localhost:1/ok",
                "compatible", "http://[::127.0.0.1]:" + port + "/ok",
                "nat64", "http://[64:ff9b::7f00:1]:" + port + "/ok",
                "redirect", "http://localhost:" + port + "/redirect?to=http%3A%2F%2F127.0.0.1%3A" + port + "%2Fok");
        String ns = ns();
        targets.forEach((label, url) -> {
            String name = ns + "." + label;
            assertThat(owner.post("/api/v1/tools", httpTool(name, url, Map.of())).status()).isEqualTo(201);
            Reply refused = invoke(owner, name, Map.of());
            assertThat(refused.status()).as(label + ": " + refused).isEqualTo(502);
            assertThat(refused.json().get("detail").asString()).as(label).contains("refused");
        });
        assertThat(owner.get("/api/v1/tool-executions?status=refused").json().get("items")).hasSize(6);
        assertThat(upstream.requests()).isPositive();
    }

    @Test
    void timeoutsAndOversizedOutputAreReportedNotHidden() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String slow = ns() + ".slow";
        owner.post("/api/v1/tools", httpTool(slow, "http://localhost:" + upstream.port() + "/slow", Map.of("timeoutMs", 300)));
        Reply timedOut = invoke(owner, slow, Map.of());
        assertThat(timedOut.status()).isEqualTo(502);
        assertThat(timedOut.json().get("retryable").asBoolean()).isTrue();
        assertThat(owner.get("/api/v1/tool-executions?tool=" + slow).json().at("/items/0/status").asString()).isEqualTo("timed_out");

        String big = ns() + ".big";
        owner.post("/api/v1/tools", httpTool(big, "http://localhost:" + upstream.port() + "/big", Map.of("maxOutputBytes", 100)));
        Reply truncated = invoke(owner, big, Map.of());
        assertThat(truncated.status()).isEqualTo(200);
        assertThat(truncated.json().get("truncated").asBoolean()).isTrue();
        assertThat(truncated.json().get("result").asString()).hasSize(100);
    }

    @Test
    void aToolRunsAtMostItsConcurrencyLimitAtOnce() throws Exception {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String single = ns() + ".single";
        owner.post("/api/v1/tools", httpTool(single, "http://localhost:" + upstream.port() + "/slow",
                Map.of("timeoutMs", 10000, "maxConcurrency", 1)));
        java.util.List<Reply> replies = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> pool.submit(() -> invoke(owner, single, Map.of())))
                .toList();
            for (var future : futures) {
                replies.add(future.get());
            }
        }
        assertThat(replies).extracting(Reply::status).as("calls beyond the limit are not made: 503 outbound/saturated")
            .containsExactlyInAnyOrder(200, 503, 503);
        assertThat(replies.stream().filter(reply -> reply.status() == 503))
            .allSatisfy(refused -> assertThat(refused.header("Retry-After")).isPresent());
        assertThat(owner.get("/api/v1/tool-executions?tool=" + single + "&status=saturated").json().get("items")).hasSize(2);
    }

    @Test
    void grantsCanRequireApprovalOrConstrainArguments() {
        Api owner = freshTenant();
        String name = ns() + ".echo";
        owner.post("/api/v1/tools", httpTool(name, "http://localhost:" + upstream.port() + "/echo?q={query}", Map.of()));
        assertThat(owner.post("/api/v1/tool-grants", Map.of("subject", "agent:support-bot", "tools", name, "effect",
                "allow", "argumentSchema", Map.of("properties", Map.of("query", Map.of("enum", List.of("ok")))))).status())
            .isEqualTo(201);

        Reply ok = owner.post("/api/v1/tools/" + name + "/invoke", Map.of("agent", "support-bot", "arguments", Map.of("query", "ok")));
        assertThat(ok.status()).isEqualTo(200);
        Reply outside = owner.post("/api/v1/tools/" + name + "/invoke",
                Map.of("agent", "support-bot", "arguments", Map.of("query", "drop tables")));
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.json().get("detail").asString()).contains("constraints");
        assertThat(owner.post("/api/v1/tools/" + name + "/invoke", Map.of("arguments", Map.of("query", "ok"))).status())
            .as("not as that agent").isEqualTo(403);

        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:support-bot", "tools", name, "effect", "require_approval"));
        Reply approval = owner.post("/api/v1/tools/" + name + "/invoke", Map.of("agent", "support-bot", "arguments", Map.of("query", "ok")));
        assertThat(approval.status()).isEqualTo(403);
        assertThat(approval.json().get("type").asString()).endsWith("/tools/approval-required");

        JsonNode check = owner.post("/api/v1/tool-permissions/check",
                Map.of("tool", name, "agent", "support-bot", "arguments", Map.of("query", "ok"))).json();
        assertThat(check.get("effect").asString()).isEqualTo("require_approval");
    }

    @Test
    void toolsAreVersionedDisabledAndValidatedWhenRegistered() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String name = ns() + ".ok";
        owner.post("/api/v1/tools", httpTool(name, "http://localhost:" + upstream.port() + "/ok", Map.of()));
        assertThat(owner.post("/api/v1/tools", httpTool(name, "http://localhost/ok", Map.of())).status()).isEqualTo(409);
        Reply v2 = owner.put("/api/v1/tools/" + name, httpTool(name, "http://localhost:" + upstream.port() + "/ok",
                Map.of("description", "Second version", "tags", List.of("crm"))));
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(owner.get("/api/v1/tools/" + name + "/versions").json()).hasSize(2);
        assertThat(owner.get("/api/v1/tools?tag=crm").json().at("/items/0/name").asString()).isEqualTo(name);

        assertThat(owner.post("/api/v1/tools/" + name + "/disable", "").json().get("enabled").asBoolean()).isFalse();
        assertThat(invoke(owner, name, Map.of()).status()).isEqualTo(409);
        owner.post("/api/v1/tools/" + name + "/enable", "");
        assertThat(invoke(owner, name, Map.of()).status()).isEqualTo(200);

        Reply invalid = owner.post("/api/v1/tools", Map.of("name", "NoNamespace", "description", "", "kind", "http",
                "inputSchema", Map.of("type", "banana"), "http", Map.of("method", "FETCH", "url", "ftp://x",
                        "headers", Map.of("Authorization", "Bearer hunter2"))));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("errors").valueStream().map(e -> e.get("pointer").asString()))
            .contains("/name", "/description", "/inputSchema/type", "/http/method", "/http/url", "/http/headers/Authorization");
        assertThat(owner.put("/api/v1/tools/builtin.clock", httpTool("builtin.clock", "http://localhost/", Map.of())).status())
            .isEqualTo(409);
        assertThat(owner.delete("/api/v1/tools/" + name).status()).isEqualTo(204);
        assertThat(owner.get("/api/v1/tools/" + name).status()).isEqualTo(404);
    }

    @Test
    void aToolNamedByALiveAgentVersionCannotBeDeleted() {
        String name = ns() + ".lookup";
        api.post("/api/v1/tools", httpTool(name, "http://localhost:" + upstream.port() + "/ok", Map.of()));
        tools.jackson.databind.node.ObjectNode agent = io.retinue.testing.Agents.create(uniqueSlug("user"), Map.of());
        ((tools.jackson.databind.node.ObjectNode) agent.get("config")).set("tools",
                io.retinue.testing.Api.JSON.valueToTree(List.of(Map.of("name", name))));
        String slug = agent.get("slug").asString();
        api.post("/api/v1/agents", agent);
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            Reply refused = api.delete("/api/v1/tools/" + name);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("type").asString()).endsWith("/tools/tool-in-use");
            assertThat(refused.json().get("agents").valueStream().map(JsonNode::asString)).containsExactly(slug);
        });

        api.delete("/api/v1/agents/" + slug);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
            .until(() -> api.delete("/api/v1/tools/" + name).status() == 204);
    }

    @Test
    void namingAToolRunsWouldNotBeOfferedIsWarnedOfOnValidateImportAndPublish() {
        Api owner = freshTenant();
        String slug = uniqueSlug("warn");
        tools.jackson.databind.node.ObjectNode config = io.retinue.testing.Agents.config("demo-echo", 0.3);
        config.set("tools", io.retinue.testing.Api.JSON.valueToTree(List.of(Map.of("name", "builtin.clock"),
                Map.of("name", "builtin.calculator"))));

        Reply validated = owner.post("/api/v1/agent-configs/validate", config);
        assertThat(validated.json().get("valid").asBoolean()).as(validated.toString()).isTrue();
        assertThat(validated.json().get("warnings")).as("builtins exist and are enabled; grants need the agent").isEmpty();

        tools.jackson.databind.node.ObjectNode agent = io.retinue.testing.Agents.create(slug, Map.of());
        agent.set("config", config);
        assertThat(owner.post("/api/v1/agents", agent).status()).isEqualTo(201);
        allow(owner, "agent:" + slug, "builtin.clock");
        Reply published = owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        assertThat(published.status()).isEqualTo(200);
        assertThat(published.json().get("warnings").valueStream().map(w -> w.get("pointer").asString()))
            .as("the calculator is not granted: " + published).containsExactly("/config/tools/1/name");
        assertThat(published.json().at("/warnings/0/detail").asString()).contains("builtin.calculator", "grant");
        Reply run = owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hello", "variables",
                Map.of("company", "ACME")));
        assertThat(run.status()).as(run.toString()).isEqualTo(201);
        assertThat(run.json().at("/run/toolsWithheld").valueStream().map(w -> w.get("tool").asString()))
            .as("the run says which named tool it was not offered").containsExactly("builtin.calculator");
        assertThat(owner.get("/api/v1/runs/" + run.json().at("/run/id").asString()).json()
            .at("/run/toolsWithheld/0/reason").asString()).contains("grant");

        String document = owner.get("/api/v1/agents/" + slug + "/export").body().replace("slug: " + slug, "slug: " + slug + "-copy");
        Reply imported = owner.call("POST", "/api/v1/agents/import").body(document, "application/yaml").send();
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(imported.json().get("warnings").valueStream().map(w -> w.get("pointer").asString()))
            .as("neither tool is granted to the copy").containsExactly("/live/config/tools/0/name", "/live/config/tools/1/name");

        allow(owner, "agent:" + slug, "builtin.calculator");
        owner.post("/api/v1/agents/" + slug + "/versions", io.retinue.testing.Agents.version(config, "again"));
        Reply granted = owner.post("/api/v1/agents/" + slug + "/versions/2/publish", "");
        assertThat(granted.json().has("warnings")).as("nothing to warn of: " + granted).isFalse();
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void versionsPublishedInQuickSuccessionLeaveTheLiveOnesToolsReferenced() {
        String first = ns() + ".first";
        String second = ns() + ".second";
        for (String tool : List.of(first, second)) {
            api.post("/api/v1/tools", httpTool(tool, "http://localhost:" + upstream.port() + "/ok", Map.of()));
        }
        String slug = uniqueSlug("flip");
        api.post("/api/v1/agents", io.retinue.testing.Agents.create(slug, Map.of()));
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        for (int version = 2; version <= 9; version++) {
            tools.jackson.databind.node.ObjectNode config = io.retinue.testing.Agents.config("demo-echo", 0.3);
            config.set("tools", io.retinue.testing.Api.JSON.valueToTree(List.of(Map.of("name", version % 2 == 0 ? first
                    : second), Map.of("name", "builtin.clock"))));
            assertThat(api.post("/api/v1/agents/" + slug + "/versions", io.retinue.testing.Agents.version(config, "v"))
                .status()).isEqualTo(201);
            assertThat(api.post("/api/v1/agents/" + slug + "/versions/" + version + "/publish", "").status())
                .isEqualTo(200);
        }

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(jdbc.sql("SELECT tool_name FROM tools.agent_tool_reference WHERE agent_slug = :slug")
                .param("slug", slug).query(String.class).list())
                .as("the live version (9) names the second tool").containsExactlyInAnyOrder(second, "builtin.clock");
            assertThat(jdbc.sql("""
                    SELECT COUNT(*) FROM event_publication
                    WHERE completion_date IS NULL AND listener_id LIKE '%AgentToolReferences%'""")
                .query(Long.class).single()).as("no publication left failed").isZero();
        });
        assertThat(api.delete("/api/v1/tools/" + first).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/tools/" + second).status()).isEqualTo(409);
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void aCallersMistakeIsReturnedAtOnceNeitherRetriedNorCountedAgainstTheBreaker() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String tool = ns() + ".bad";
        String path = "/status/400?n=" + ns();
        owner.post("/api/v1/tools", httpTool(tool, "http://localhost:" + upstream.port() + path,
                Map.of("idempotent", true)));
        for (int i = 0; i < 6; i++) {
            Reply bad = invoke(owner, tool, Map.of());
            assertThat(bad.status()).as(bad.toString()).isEqualTo(502);
            assertThat(bad.json().get("type").asString()).endsWith("/tools/execution-failed");
            assertThat(bad.json().get("retryable").asBoolean()).isFalse();
        }
        assertThat(upstream.hits(path)).as("each call made once, and none refused by an open breaker").isEqualTo(6);
    }

    @Test
    void theToolsTimeoutBoundsTheWholeCallRetriesIncluded() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String tool = ns() + ".slow";
        owner.post("/api/v1/tools", httpTool(tool, "http://localhost:" + upstream.port() + "/slow",
                Map.of("timeoutMs", 1000, "idempotent", true)));
        long started = System.nanoTime();
        Reply slow = invoke(owner, tool, Map.of());
        assertThat(millisSince(started)).as("one budget of 1 s for every attempt").isLessThan(1900);
        assertThat(slow.status()).isEqualTo(502);
        assertThat(slow.json().get("retryable").asBoolean()).isTrue();
        assertThat(owner.get("/api/v1/tool-executions?tool=" + tool).json().at("/items/0/status").asString())
            .isEqualTo("timed_out");
    }

    @Test
    void aToolServersRetryAfterIsHonouredWhenItFitsAndEndsTheCallWhenItDoesNot() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String busy = ns() + ".busy";
        String busyPath = "/status/503?retryAfter=1&n=" + ns();
        owner.post("/api/v1/tools", httpTool(busy, "http://localhost:" + upstream.port() + busyPath,
                Map.of("timeoutMs", 5000, "idempotent", true)));
        long started = System.nanoTime();
        Reply waited = invoke(owner, busy, Map.of());
        assertThat(millisSince(started)).as("two waits of Retry-After: 1").isGreaterThanOrEqualTo(2000);
        assertThat(upstream.hits(busyPath)).isEqualTo(3);
        assertThat(waited.status()).isEqualTo(502);
        assertThat(waited.json().get("retryable").asBoolean()).isTrue();

        String limited = ns() + ".limited";
        String limitedPath = "/status/429?retryAfter=30&n=" + ns();
        owner.post("/api/v1/tools", httpTool(limited, "http://localhost:" + upstream.port() + limitedPath,
                Map.of("timeoutMs", 5000, "idempotent", true)));
        started = System.nanoTime();
        Reply gaveUp = invoke(owner, limited, Map.of());
        assertThat(millisSince(started)).as("30 s do not fit in 5 s: no wait").isLessThan(1500);
        assertThat(upstream.hits(limitedPath)).isEqualTo(1);
        assertThat(gaveUp.status()).isEqualTo(502);
        assertThat(gaveUp.json().get("retryable").asBoolean()).isTrue();
        assertThat(gaveUp.header("Retry-After")).hasValue("30");
    }

    @Test
    void anOpenBreakerIsAnswered503WithRetryAfterAndRunsGoOnWithTheToolUnavailable() {
        Api owner = freshTenant();
        allow(owner, "*", "*");
        String tool = ns() + ".down";
        String path = "/status/503?n=" + ns();
        owner.post("/api/v1/tools", httpTool(tool, "http://localhost:" + upstream.port() + path, Map.of()));
        tools.jackson.databind.node.ObjectNode agent = io.retinue.testing.Agents.create(uniqueSlug("brk"), Map.of());
        tools.jackson.databind.node.ObjectNode config = (tools.jackson.databind.node.ObjectNode) agent.get("config");
        ((tools.jackson.databind.node.ObjectNode) config.get("model")).put("provider", "fake");
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", tool))));
        String slug = agent.get("slug").asString();
        assertThat(owner.post("/api/v1/agents", agent).status()).isEqualTo(201);
        assertThat(owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);

        for (int i = 0; i < 4; i++) {
            assertThat(invoke(owner, tool, Map.of()).status()).isEqualTo(502);
        }
        Reply open = invoke(owner, tool, Map.of());
        assertThat(open.status()).as(open.toString()).isEqualTo(503);
        assertThat(open.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/outbound/circuit-open");
        assertThat(open.header("Retry-After")).hasValueSatisfying(seconds -> assertThat(seconds).isIn("1", "2"));
        assertThat(open.json().get("executionId").asString()).isNotBlank();
        assertThat(upstream.hits(path)).as("an open breaker does not call out").isEqualTo(4);

        // A run's tool call finds the breaker open (it is opened again first: the run may start after the 2 s).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            while (invoke(owner, tool, Map.of()).status() != 503) {
                // half-open: its trial calls fail and open it again
            }
            Reply run = owner.post("/api/v1/runs", Map.of("agent", slug, "input",
                    "use " + tool.replace(".", "__") + " with {}", "variables", Map.of("company", "ACME")));
            assertThat(run.json().at("/run/status").asString()).as(run.toString()).isEqualTo("completed");
            assertThat(run.json().get("steps").valueStream()
                .filter(step -> step.get("kind").asString().equals("tool"))
                .map(step -> step.get("outcome").asString())).containsExactly("unavailable");
            assertThat(run.json().at("/run/output").asString()).contains("paused after repeated failures");
        });
    }
}
