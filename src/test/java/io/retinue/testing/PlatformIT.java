package io.retinue.testing;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole application on a random port against this run's PostgreSQL database,
 * talked to over HTTP with the bootstrap admin key. All subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestFixtures.class)
public abstract class PlatformIT {

    public static final String ADMIN_KEY = "rtn_TestAdmin001_abcdefghijklmnopqrstuvwxyz012345";
    /** The token a metrics scraper presents at /actuator/prometheus. */
    public static final String SCRAPE_TOKEN = "test-scrape-token-0123456789abcdef";
    /** The master key of the test installation (32 bytes, base64). */
    public static final String MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmctISE=";

    @LocalServerPort
    protected int port;

    protected Api api;

    @BeforeAll
    static void requirePostgres() {
        TestDatabase.url();
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::url);
        registry.add("spring.datasource.username", TestDatabase::user);
        registry.add("spring.datasource.password", TestDatabase::password);
        registry.add("retinue.security.bootstrap-api-key", () -> ADMIN_KEY);
        registry.add("retinue.security.master-key", () -> MASTER_KEY);
        registry.add("retinue.metrics.scrape-token", () -> SCRAPE_TOKEN);
        registry.add("retinue.auth.lockout", () -> "2s");
        // The suite's cached contexts, instances and processes share one PostgreSQL of 100 connections: each pool
        // opens what it uses, not all twenty at once.
        registry.add("spring.datasource.hikari.minimum-idle", () -> "2");
        registry.add("spring.datasource.hikari.idle-timeout", () -> "10000");
        registry.add("retinue.gateway.tenant-removal.check-interval", () -> "1s");
        registry.add("retinue.outbound.defaults.minimum-calls", () -> "4");
        registry.add("retinue.outbound.defaults.sliding-window", () -> "4");
        registry.add("retinue.outbound.defaults.open-for", () -> "2s");
        registry.add("retinue.outbound.defaults.retry-backoff", () -> "50ms");
        registry.add("retinue.outbound.timeouts.slow-upstream", () -> "300ms");
        // Tools may reach the shared test upstream by the name localhost on its port, and nothing else internal.
        registry.add("retinue.tools.http.allowed-internal",
                () -> "localhost:" + TestUpstream.shared().port() + ",localhost:" + TestMcpServers.http().port()
                        + ",localhost:" + TestMcpServers.relay().port());
        registry.add("retinue.tools.mcp.stdio-commands", TestMcpServers::javaExecutable);
        // Spans go to the tests' collector (every run traced), in batches a fifth of a second apart.
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> TraceReceiver.get().endpoint());
        registry.add("management.opentelemetry.tracing.export.schedule-delay", () -> "200ms");
        registry.add("management.tracing.sampling.probability", () -> "1.0");
        registry.add("retinue.runtime.providers.fake.base-url", () -> FakeModelServer.get().baseUrl());
        registry.add("retinue.runtime.providers.fake.api-key", () -> FakeModelServer.API_KEY);
        registry.add("retinue.runtime.stream.heartbeat", () -> "200ms");
        registry.add("retinue.runtime.stream.reconnect-grace", () -> "500ms");
        registry.add("retinue.runtime.prices.demo-echo.input", () -> "1.5");
        registry.add("retinue.runtime.prices.demo-echo.output", () -> "6");
        // A second connection to the same server, for tests that trip its breaker.
        registry.add("retinue.runtime.providers.fake-failing.base-url", () -> FakeModelServer.get().baseUrl());
        registry.add("retinue.runtime.providers.fake-failing.api-key", () -> FakeModelServer.API_KEY);
        // The same server speaking Anthropic's and Ollama's APIs (a second connection of each for tests that trip
        // its breaker), and an Anthropic connection with a wrong key.
        for (String type : new String[] { "anthropic", "ollama" }) {
            for (String name : new String[] { "fake-" + type, "fake-" + type + "-failing" }) {
                registry.add("retinue.runtime.providers." + name + ".type", () -> type);
                registry.add("retinue.runtime.providers." + name + ".base-url", () -> FakeModelServer.get().root());
                registry.add("retinue.runtime.providers." + name + ".api-key", () -> FakeModelServer.API_KEY);
            }
        }
        // Tenants may point their own connections at the fake model server, and name one (unset) variable.
        registry.add("retinue.runtime.connections.allowed-internal",
                () -> "127.0.0.1:" + FakeModelServer.get().root().substring(FakeModelServer.get().root().lastIndexOf(':') + 1));
        registry.add("retinue.runtime.connections.allowed-env", () -> "RETINUE_TEST_UNSET_KEY");
        registry.add("retinue.runtime.webhooks.allowed-internal", () -> "localhost:" + TestUpstream.shared().port());
        registry.add("retinue.runtime.webhooks.max-attempts", () -> "3");
        registry.add("retinue.runtime.webhooks.backoff", () -> "100ms");
        registry.add("retinue.runtime.providers.fake-anthropic-bad-key.type", () -> "anthropic");
        registry.add("retinue.runtime.providers.fake-anthropic-bad-key.base-url", () -> FakeModelServer.get().root());
        registry.add("retinue.runtime.providers.fake-anthropic-bad-key.api-key", () -> "sk-wrong");
        registry.add("retinue.agents.providers", () -> "demo,openai,anthropic,ollama,fake,fake-failing,fake-anthropic,"
                + "fake-anthropic-failing,fake-anthropic-bad-key,fake-ollama,fake-ollama-failing");
        TestIdentityProvider idp = TestIdentityProvider.get();
        registry.add("retinue.auth.oidc[0].issuer", idp::issuer);
        registry.add("retinue.auth.oidc[0].jwk-set-uri", idp::jwkSetUri);
        registry.add("retinue.auth.oidc[0].audience", () -> "retinue");
        registry.add("retinue.auth.oidc[0].tenant-claim", () -> "org");
        registry.add("retinue.auth.oidc[0].roles-claim", () -> "realm_access.roles");
        registry.add("retinue.auth.oidc[0].role-mapping.engineers", () -> "developer");
        registry.add("retinue.auth.oidc[0].role-mapping.auditors", () -> "operator");
        registry.add("retinue.http.max-request-body", () -> "64KB");
        registry.add("retinue.http.cors.allowed-origins", () -> "https://console.example.com");
        // The suite's own traffic must not trip the limits; rate-limit tests set tight ones per tenant.
        for (String routeClass : new String[] { "read", "write", "execute" }) {
            registry.add("retinue.rate-limit.classes." + routeClass + ".principal", () -> "100000");
            registry.add("retinue.rate-limit.classes." + routeClass + ".tenant", () -> "100000");
            registry.add("retinue.rate-limit.classes." + routeClass + ".period", () -> "1m");
        }
        registry.add("retinue.rate-limit.anonymous.per-address", () -> "1000000");
    }

    @BeforeEach
    void client() {
        api = new Api(port, ADMIN_KEY);
    }

    /** A tenant made for one test, and an API client holding its owner key. */
    public record TestTenant(String id, Api owner) {
    }

    /** Creates a tenant no other test uses. */
    protected static TestTenant newTenant(Api platformAdmin, String prefix) {
        String id = prefix + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply created = platformAdmin.post("/api/v1/tenants", java.util.Map.of("id", id, "name", "Test " + id));
        if (created.status() != 201) {
            throw new IllegalStateException("could not create tenant " + id + ": " + created);
        }
        return new TestTenant(id, platformAdmin.as(created.json().at("/ownerKey/secret").asString()));
    }

    /** A slug no other test uses. */
    protected static String uniqueSlug(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }
}
