package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;

import io.micrometer.core.instrument.MeterRegistry;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TcpProxy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway as the one entry point of a split platform: a gateway-only instance routes the tools API to a
 * tools-only instance, having authenticated and authorised the client itself (the platform under test stands in for
 * the agents service the tools instance asks); the tools instance answers nothing but internal tokens;
 * while it is down its routes answer 503 with Retry-After and the rest keeps working, and they recover by
 * themselves once it is back.
 */
class GatewayRoutesIT extends PlatformIT {

    private static ConfigurableApplicationContext tools;
    private static ConfigurableApplicationContext gateway;
    private static int toolsPort;

    private void split() {
        if (gateway != null) {
            return;
        }
        String platform = "http://127.0.0.1:" + port;
        tools = start("tools", 0, "--retinue.services.agents.url=" + platform,
                "--retinue.services.gateway.url=" + platform, "--retinue.services.runtime.url=" + platform);
        toolsPort = portOf(tools);
        gateway = start("gateway", 0, "--retinue.services.agents.url=" + platform,
                "--retinue.services.runtime.url=" + platform,
                "--retinue.services.tools.url=http://127.0.0.1:" + toolsPort);
    }

    @AfterAll
    static void stopSplit() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway, tools }) {
            if (context != null) {
                context.close();
            }
        }
        gateway = null;
        tools = null;
    }

    private Api viaGateway(String key) {
        return new Api(portOf(gateway), key);
    }

    private static double toolsRequests() {
        return tools.getBean(MeterRegistry.class).find("http.server.requests").timers().stream()
            .mapToDouble(timer -> timer.count())
            .sum();
    }

    @Test
    void routesTheToolsApiToTheToolsServiceAsTheAuthenticatedCaller() {
        split();
        TestTenant tenant = newTenant(viaGateway(ADMIN_KEY), "split");
        Api owner = viaGateway(tenant.owner().apiKey());
        double before = toolsRequests();

        Reply created = owner.post("/api/v1/tools", Map.of("name", "split.echo", "description", "echoes", "kind",
                "http", "inputSchema", Map.of("type", "object"), "http",
                Map.of("method", "POST", "url", "https://example.com/echo"))).expect(201);
        assertThat(created.header("Location")).contains("/api/v1/tools/split.echo");
        assertThat(created.header("X-Request-Id")).isPresent();
        assertThat(created.headers().get("X-Request-Id")).hasSize(1);
        assertThat(owner.get("/api/v1/tools/split.echo").expect(200).json().get("name").asString())
            .isEqualTo("split.echo");
        // Counted once the service's filters have unwound, which may be just after the client had the whole answer.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(toolsRequests())
            .isGreaterThanOrEqualTo(before + 2));
        // The tool is the tenant's: the service saw the caller the gateway authenticated.
        assertThat(viaGateway(ADMIN_KEY).get("/api/v1/tools/split.echo").status()).isEqualTo(404);

        // What the gateway serves itself is served next to the routes.
        assertThat(owner.get("/api/v1/api-keys").status()).isEqualTo(200);
    }

    /**
     * A request goes on with the length the client gave, not re-chunked (the service would wait for the chunk that
     * ends it), and a JSON answer comes with its length, so each side is done reading once its bytes are there. The
     * headers a client names in {@code Connection} are not passed on (RFC 9110, 7.6.1).
     */
    @Test
    void requestsAndAnswersCrossTheHopWithTheirLengthAndWithoutTheClientsConnectionOptions() throws Exception {
        split();
        String platform = "http://127.0.0.1:" + port;
        try (TcpProxy toTools = new TcpProxy(toolsPort).start()) {
            ConfigurableApplicationContext watched = start("gateway", 0, "--retinue.services.agents.url=" + platform,
                    "--retinue.services.runtime.url=" + platform,
                    "--retinue.services.tools.url=http://127.0.0.1:" + toTools.port());
            try {
                String name = "lengths.t" + System.nanoTime() % 100_000;
                Reply created = new Api(portOf(watched), ADMIN_KEY).post("/api/v1/tools", Map.of("name", name,
                        "description", "measured", "kind", "http", "inputSchema", Map.of("type", "object"), "http",
                        Map.of("method", "POST", "url", "https://example.com/echo"))).expect(201);
                assertThat(created.header("Content-Length")).isPresent();

                String sent = toTools.sent();
                String request = sent.substring(sent.lastIndexOf("POST /api/v1/tools "));
                int end = request.indexOf("\r\n\r\n");
                assertThat(request.substring(0, end).toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding")
                    .contains("content-length: " + (request.length() - end - 4));
                assertThat(request.substring(end + 4)).contains(name);

                String answered = toTools.answered();
                String answer = answered.substring(answered.lastIndexOf("HTTP/1.1 201"));
                assertThat(answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT))
                    .doesNotContain("transfer-encoding")
                    .contains("content-length: ");

                // What the client names in Connection stays on its own hop (an h2c upgrade attempt's settings, say).
                try (Socket client = new Socket("127.0.0.1", portOf(watched))) {
                    client.setSoTimeout(10_000);
                    client.getOutputStream().write(("GET /api/v1/tools HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: "
                            + ADMIN_KEY + "\r\nConnection: close, X-Hop-Only, HTTP2-Settings\r\nX-Hop-Only: mine\r\n"
                            + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nX-Passed-On: yes\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 200");
                }
                String all = toTools.sent();
                String listed = all.substring(all.lastIndexOf("GET /api/v1/tools "));
                assertThat(listed.substring(0, listed.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT))
                    .contains("x-passed-on: yes")
                    .doesNotContain("x-hop-only")
                    .doesNotContain("http2-settings");
            }
            finally {
                watched.close();
            }
        }
    }

    @Test
    void authorisesAtTheGatewayAndRefusesClientsAtTheServicePort() {
        split();
        String viewer = viaGateway(ADMIN_KEY).post("/api/v1/api-keys", Map.of("name", "viewer", "role", "viewer"))
            .expect(201)
            .json()
            .at("/secret")
            .asString();
        double before = toolsRequests();
        assertThat(viaGateway(viewer).post("/api/v1/tool-grants",
                Map.of("subject", "*", "tools", "*", "effect", "allow")).status()).isEqualTo(403);
        assertThat(viaGateway("rtn_NotAKey00000_abcdefghijklmnopqrstuvwxyz012345").get("/api/v1/tools").status())
            .isEqualTo(401);
        assertThat(toolsRequests()).isEqualTo(before);

        Api direct = new Api(toolsPort, ADMIN_KEY);
        for (Reply reply : List.of(direct.get("/api/v1/tools"), direct.call("GET", "/api/v1/tools").anonymous().send(),
                direct.call("GET", "/internal/v1/agents/x/spec").send())) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void aServiceThatIsDownIsA503UntilItIsBack() {
        split();
        tools.close();
        try {
            long started = System.nanoTime();
            Reply down = viaGateway(ADMIN_KEY).get("/api/v1/tools");
            assertThat(down.status()).as(down.toString()).isEqualTo(503);
            assertThat(down.contentType()).startsWith("application/problem+json");
            assertThat(down.json().get("type").asString()).endsWith("/service-unavailable");
            assertThat(down.header("Retry-After")).isPresent();
            assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(3).toNanos());
            assertThat(viaGateway(ADMIN_KEY).get("/api/v1/api-keys").status()).isEqualTo(200);
        }
        finally {
            String platform = "http://127.0.0.1:" + port;
            tools = start("tools", toolsPort, "--retinue.services.agents.url=" + platform,
                    "--retinue.services.gateway.url=" + platform, "--retinue.services.runtime.url=" + platform);
        }
        Reply back = viaGateway(ADMIN_KEY).get("/api/v1/tools");
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
    }

    @Test
    void servesTheDocumentOfTheWholeApi() throws java.io.IOException {
        split();
        Reply reply = viaGateway(ADMIN_KEY).call("GET", "/v3/api-docs").anonymous().send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        ObjectNode served = (ObjectNode) reply.json();
        assertThat(served.at("/servers/0/url").asString()).endsWith(":" + portOf(gateway));
        served.remove("servers");
        // Every operation of every service, as the monolith documents it, not only the gateway's own.
        assertThat(served.get("paths").has("/api/v1/runs")).isTrue();
        assertThat(served.get("paths").has("/api/v1/tools/{name}")).isTrue();
        try (java.io.InputStream in = new ClassPathResource("openapi/retinue-api.json").getInputStream()) {
            assertThat((JsonNode) served).isEqualTo(Api.JSON.readTree(in));
        }
        assertThat(viaGateway(ADMIN_KEY).call("GET", "/swagger-ui/index.html").anonymous().send().status())
            .isEqualTo(200);
    }

    @Test
    void sendsEachRequestToAProcessOfTheServiceThatAnswers() throws Exception {
        split();
        int dead;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        String platform = "http://127.0.0.1:" + port;
        ConfigurableApplicationContext balancing = start("gateway", 0, "--retinue.services.agents.url=" + platform,
                "--retinue.services.runtime.url=" + platform,
                "--retinue.services.tools.url=http://127.0.0.1:" + dead + ",http://127.0.0.1:" + toolsPort);
        try {
            Api owner = new Api(portOf(balancing), ADMIN_KEY);
            // From the first request on, whether the health checks have run yet or not: a process that refuses the
            // connection never saw the request, which goes to the next one — a POST with its body too.
            for (int i = 0; i < 6; i++) {
                Reply created = owner.post("/api/v1/tools", Map.of("name", "balanced.t" + i + System.nanoTime() % 100_000,
                        "description", "balanced", "kind", "http", "inputSchema", Map.of("type", "object"), "http",
                        Map.of("method", "POST", "url", "https://example.com/echo")));
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                assertThat(owner.get("/api/v1/tools?limit=1").status()).isEqualTo(200);
            }
        }
        finally {
            balancing.close();
        }
    }
}
