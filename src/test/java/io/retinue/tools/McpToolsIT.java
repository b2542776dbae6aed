package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestMcpServers;
import tools.jackson.databind.JsonNode;

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

        Reply echo = owner.post("/api/v1/tools/demo.echo/invoke", Map.of("arguments", Map.of("message", "hi")));
        assertThat(echo.status()).as(echo.toString()).isEqualTo(200);
        assertThat(echo.json().get("result").asString()).isEqualTo("echo: hi");
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
}
