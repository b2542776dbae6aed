package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TcpProxy;
import io.retinue.testing.TestMcpServers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** MCP servers written with the MCP Java SDK, over Streamable HTTP and over stdio, registered and called. */
class McpToolsIT extends PlatformIT {

    private Api freshTenant() {
        Api owner = newTenant(api, "mc").owner();
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "tag:mcp", "effect", "allow"));
        return owner;
    }

    @Test
    void discoversAndCallsToolsOfAStreamableHttpServer() {
        Api owner = freshTenant();
        Reply registered = owner.post("/api/v1/mcp-servers",
                Map.of("name", "demo", "transport", "streamable_http", "url", TestMcpServers.http().url()));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(registered.json().get("status").asString()).isEqualTo("healthy");
        assertThat(registered.json().get("tools").valueStream().map(JsonNode::asString))
            .contains("demo.echo", "demo.add", "demo.broken");
        assertThat(owner.get("/api/v1/tools/demo.echo").json().at("/inputSchema/required/0").asString()).isEqualTo("message");

        String traceId = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
            .putLong(System.nanoTime()).putLong(1L).array());
        Reply echo = owner.call("POST", "/api/v1/tools/demo.echo/invoke")
            .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
            .json(Map.of("arguments", Map.of("message", "hi")))
            .send();
        assertThat(echo.status()).as(echo.toString()).isEqualTo(200);
        assertThat(echo.json().get("result").asString()).isEqualTo("echo: hi");
        assertThat(TestMcpServers.http().traceparents()).as("the call carries on its caller's trace")
            .anyMatch(header -> header.matches("00-" + traceId + "-[0-9a-f]{16}-01")
                    && !header.contains("00f067aa0ba902b7"));
        Reply sum = owner.post("/api/v1/tools/demo.add/invoke", Map.of("arguments", Map.of("a", 2, "b", 3.5)));
        assertThat(sum.json().at("/result/sum").asDouble()).isEqualTo(5.5);
        Reply invalid = owner.post("/api/v1/tools/demo.add/invoke", Map.of("arguments", Map.of("a", "two")));
        assertThat(invalid.status()).isEqualTo(422);
        Reply broken = owner.post("/api/v1/tools/demo.broken/invoke", Map.of("arguments", Map.of()));
        assertThat(broken.status()).isEqualTo(502);
        assertThat(broken.json().get("detail").asString()).contains("the backend is down");
        assertThat(owner.put("/api/v1/tools/demo.echo", Map.of()).status()).as("MCP tools follow their server").isEqualTo(409);
    }

    @Test
    void neverShowsTheCredentialsSentToAServer() {
        Api owner = freshTenant();
        String secret = "mcp-live-" + java.util.UUID.randomUUID();
        owner.put("/api/v1/credentials/mcp-token", Map.of("kind", "bearer", "fields", Map.of("value", secret)))
            .expect(200);
        owner.post("/api/v1/mcp-servers", Map.of("name", "keyed", "transport", "streamable_http", "url",
                TestMcpServers.http().url(), "headers", Map.of("Authorization", "Bearer {{secret:mcp-token}}")))
            .expect(201);

        // A server that answers with what it was sent (a debug echo, a leaky error) shows no credential here.
        Reply echo = owner.post("/api/v1/tools/keyed.echo/invoke", Map.of("arguments", Map.of("message",
                "token " + secret)));
        assertThat(echo.status()).as(echo.toString()).isEqualTo(200);
        assertThat(echo.json().get("result").asString()).isEqualTo("echo: token ****");
        assertThat(echo.body()).doesNotContain(secret);
        // (The arguments are the caller's own, recorded as sent.)
        assertThat(owner.get("/api/v1/tool-executions?tool=keyed.echo").json().at("/items/0/result").asString())
            .isEqualTo("echo: token ****");
    }

    @Test
    void keepsToolsInSyncWithTheServer() {
        Api owner = freshTenant();
        owner.post("/api/v1/mcp-servers", Map.of("name", "live", "transport", "streamable_http", "url",
                TestMcpServers.http().url()));
        String late = "late_" + java.util.UUID.randomUUID().toString().substring(0, 6);
        TestMcpServers.http().addTool(late);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            owner.post("/api/v1/mcp-servers/live/sync", "");
            assertThat(owner.get("/api/v1/mcp-servers/live").json().get("tools").valueStream().map(JsonNode::asString))
                .contains("live." + late);
        });
        assertThat(owner.post("/api/v1/tools/live." + late + "/invoke", Map.of("arguments", Map.of())).json()
            .get("result").asString()).isEqualTo("late");

        assertThat(owner.delete("/api/v1/mcp-servers/live").status()).isEqualTo(204);
        assertThat(owner.get("/api/v1/tools/live.echo").status()).isEqualTo(404);
    }

    @Test
    void startsAndCallsAStdioServer() {
        Api owner = freshTenant();
        Reply registered = owner.post("/api/v1/mcp-servers",
                Map.of("name", "local", "transport", "stdio", "command", TestMcpServers.stdioCommand()));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(registered.json().get("status").asString()).as(registered.toString()).isEqualTo("healthy");
        Reply reversed = owner.post("/api/v1/tools/local.reverse/invoke", Map.of("arguments", Map.of("text", "abc")));
        assertThat(reversed.json().get("result").asString()).isEqualTo("cba");
        owner.delete("/api/v1/mcp-servers/local");
    }

    @Test
    void refusesUnsafeServers() {
        Api owner = freshTenant();
        Reply internal = owner.post("/api/v1/mcp-servers",
                Map.of("name", "inside", "transport", "streamable_http", "url", "http://127.0.0.1:" + TestMcpServers.http().port() + "/mcp"));
        assertThat(internal.status()).isEqualTo(422);
        assertThat(internal.json().at("/errors/0/pointer").asString()).isEqualTo("/url");
        Reply command = owner.post("/api/v1/mcp-servers", Map.of("name", "shell", "transport", "stdio", "command",
                java.util.List.of("/bin/sh", "-c", "rm -rf /")));
        assertThat(command.status()).isEqualTo(422);
        assertThat(command.json().at("/errors/0/pointer").asString()).isEqualTo("/command");
    }

    @Test
    void aStreamableHttpServerThatIsDownOrBreaksOffFailsTheCallNotTheRun() {
        Api owner = freshTenant();
        String server = "flaky" + java.util.UUID.randomUUID().toString().substring(0, 6);
        Reply registered = owner.post("/api/v1/mcp-servers",
                Map.of("name", server, "transport", "streamable_http", "url", TestMcpServers.relayedUrl()));
        assertThat(registered.json().get("status").asString()).as(registered.toString()).isEqualTo("healthy");
        String echo = server + ".echo";
        String slug = agentWith(owner, echo);
        TcpProxy relay = TestMcpServers.relay();
        try {
            relay.stop();
            Reply down = owner.post("/api/v1/tools/" + echo + "/invoke", Map.of("arguments", Map.of("message", "hi")));
            assertThat(down.status()).as(down.toString()).isEqualTo(502);
            assertThat(down.json().get("type").asString()).endsWith("/tools/execution-failed");
            assertThat(down.json().get("detail").asString()).contains("'" + server + "' cannot be reached")
                .doesNotContain("Client failed", "Exception");
            assertThat(down.json().get("retryable").asBoolean()).isTrue();
            assertThat(owner.get("/api/v1/tool-executions?tool=" + echo).json().at("/items/0/status").asString())
                .isEqualTo("unavailable");

            Reply run = owner.post("/api/v1/runs", Map.of("agent", slug, "input",
                    "use " + echo.replace(".", "__") + " with {\"message\":\"hi\"}", "variables", Map.of("company", "ACME")));
            assertThat(run.json().at("/run/status").asString()).as(run.toString()).isEqualTo("completed");
            assertThat(run.json().get("steps").valueStream()
                .filter(step -> step.get("kind").asString().equals("tool"))
                .map(step -> step.get("outcome").asString())).containsExactly("unavailable");
            assertThat(run.json().at("/run/output").asString()).contains("cannot be reached");

            relay.start().breakOffAfter(40);
            Reply brokenOff = owner.post("/api/v1/tools/" + echo + "/invoke", Map.of("arguments", Map.of("message", "hi")));
            assertThat(brokenOff.status()).as(brokenOff.toString()).isEqualTo(502);
            assertThat(brokenOff.json().get("detail").asString()).contains("cannot be reached");
        }
        finally {
            relay.relay();
            relay.start();
        }
        Reply back = owner.post("/api/v1/tools/" + echo + "/invoke", Map.of("arguments", Map.of("message", "again")));
        assertThat(back.status()).as("a fresh client once the server is back: " + back).isEqualTo(200);
        assertThat(back.json().get("result").asString()).isEqualTo("echo: again");
    }

    @Test
    void aKilledStdioServerIsStartedAgainForTheNextCall() throws Exception {
        Api owner = freshTenant();
        String marker = "retinue-test-" + java.util.UUID.randomUUID();
        Reply registered = owner.post("/api/v1/mcp-servers",
                Map.of("name", "killed", "transport", "stdio", "command", TestMcpServers.stdioCommand(marker)));
        assertThat(registered.json().get("status").asString()).as(registered.toString()).isEqualTo("healthy");
        ProcessHandle process = ProcessHandle.current().descendants()
            .filter(handle -> commandLine(handle).contains(marker))
            .findFirst()
            .orElseThrow();
        process.destroyForcibly();
        process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);

        long started = System.nanoTime();
        Reply next = owner.post("/api/v1/tools/killed.reverse/invoke", Map.of("arguments", Map.of("text", "abc")));
        long took = (System.nanoTime() - started) / 1_000_000;
        if (next.status() != 200) {
            // The call raced the notice of the exit: it must fail at once and in the user's terms.
            assertThat(next.status()).as(next.toString()).isEqualTo(502);
            assertThat(next.json().get("detail").asString()).contains("cannot be reached").doesNotContain("Exception");
            assertThat(took).isLessThan(2000);
            next = owner.post("/api/v1/tools/killed.reverse/invoke", Map.of("arguments", Map.of("text", "abc")));
        }
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
        assertThat(next.json().get("result").asString()).isEqualTo("cba");
        assertThat(took).as("no wait for the request timeout of 30 s").isLessThan(15_000);
        owner.delete("/api/v1/mcp-servers/killed");
    }

    /** A process's whole command line (ProcessHandle.Info cuts long ones, such as a class path's). */
    private static String commandLine(ProcessHandle handle) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", String.valueOf(handle.pid()), "cmdline"),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        catch (java.io.IOException gone) {
            return handle.info().commandLine().orElse("");
        }
    }

    /** A published agent on the fake model server with one tool (granted by the tenant's tag:mcp grant). */
    private String agentWith(Api owner, String tool) {
        ObjectNode agent = Agents.create(uniqueSlug("mcp"), Map.of());
        ObjectNode config = (ObjectNode) agent.get("config");
        ((ObjectNode) config.get("model")).put("provider", "fake");
        config.set("tools", Api.JSON.valueToTree(java.util.List.of(Map.of("name", tool))));
        String slug = agent.get("slug").asString();
        assertThat(owner.post("/api/v1/agents", agent).status()).isEqualTo(201);
        assertThat(owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
        return slug;
    }
}
