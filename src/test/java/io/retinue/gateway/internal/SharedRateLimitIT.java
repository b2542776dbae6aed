package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.retinue.RetinueApplication;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TcpProxy;
import io.retinue.testing.TestDatabase;
import io.retinue.testing.TestRedis;

/**
 * Buckets in the machine's Redis, shared by two instances of the platform, and what happens while Redis is away:
 * the instance under test fails open, the second one fails closed, and both recover by themselves.
 */
class SharedRateLimitIT extends PlatformIT {

    private static final String PREFIX = "retinue-test:" + java.util.UUID.randomUUID() + ":";
    private static final TcpProxy REDIS = new TcpProxy(TestRedis.PORT);
    private static ConfigurableApplicationContext second;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("retinue.rate-limit.backend", () -> "redis");
        registry.add("retinue.rate-limit.redis-url", () -> "redis://127.0.0.1:" + REDIS.port());
        registry.add("retinue.rate-limit.key-prefix", () -> PREFIX);
        registry.add("retinue.rate-limit.redis-failure", () -> "open");
    }

    /** The second instance's limit for requests without credentials, per client address (all here are from one). */
    private static final int ANONYMOUS_LIMIT = 6;

    @BeforeAll
    static void startRedisRelayAndSecondInstance() {
        TestRedis.require();
        REDIS.start();
        second = new SpringApplicationBuilder(RetinueApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--retinue.security.bootstrap-api-key=" + ADMIN_KEY,
                "--retinue.security.master-key=" + MASTER_KEY,
                "--retinue.rate-limit.backend=redis",
                "--retinue.rate-limit.redis-url=redis://127.0.0.1:" + REDIS.port(),
                "--retinue.rate-limit.key-prefix=" + PREFIX,
                "--retinue.rate-limit.redis-failure=closed",
                "--retinue.rate-limit.anonymous.per-address=" + ANONYMOUS_LIMIT,
                "--retinue.rate-limit.anonymous.period=1h");
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.close();
        }
        REDIS.close();
    }

    private Api secondInstance(String key) {
        return new Api(Integer.parseInt(second.getEnvironment().getProperty("local.server.port")), key);
    }

    @Test
    void twoInstancesEnforceOneCombinedLimit() throws Exception {
        Api owner = RateLimitIT.tenantWithLimit(api, "read", 100, 100000, 3600);
        Api viaSecond = secondInstance(ownerKey(owner));

        List<Reply> replies = RateLimitIT.concurrently(300,
                i -> (i % 2 == 0 ? owner : viaSecond).get("/api/v1/agents?limit=1"));

        long allowed = replies.stream().filter(reply -> reply.status() == 200).count();
        assertThat(allowed).isBetween(100L, 103L);
        assertThat(replies).filteredOn(reply -> reply.status() == 429).allSatisfy(reply ->
                assertThat(reply.header("Retry-After")).isPresent());
        assertThat(replies).filteredOn(reply -> reply.status() == 200)
            .allSatisfy(reply -> assertThat(reply.header("RateLimit")).isPresent());
    }

    /** A large bucket counts locally between synchronisations: each instance goes over by at most 1 % of it. */
    @Test
    void aLargeLimitIsKeptToWithinOnePercentPerInstance() throws Exception {
        long limit = RedisBuckets.SYNCED_FROM;
        Api owner = RateLimitIT.tenantWithLimit(api, "read", limit, 1_000_000, 3600);
        Api viaSecond = secondInstance(ownerKey(owner));

        List<Reply> replies = RateLimitIT.concurrently((int) limit + 200,
                i -> (i % 2 == 0 ? owner : viaSecond).get("/api/v1/agents?limit=1"));

        long allowed = replies.stream().filter(reply -> reply.status() == 200).count();
        assertThat(allowed).isBetween(limit - limit / 100, limit + 2 * (limit / 100));
        assertThat(replies).filteredOn(reply -> reply.status() == 429).isNotEmpty();
    }

    @Test
    void requestsWithoutCredentialsAreLimitedPerClientAddressHealthAndCallersWithCredentialsAreNot() {
        Api second = secondInstance(ADMIN_KEY);
        for (int i = 0; i < ANONYMOUS_LIMIT; i++) {
            Reply anonymous = second.call("GET", i % 2 == 0 ? "/api/v1/agents" : "/v3/api-docs").anonymous().send();
            assertThat(anonymous.status()).as(anonymous.toString()).isIn(200, 401);
            assertThat(anonymous.header("RateLimit-Policy")).hasValue("\"anonymous-address\";q=" + ANONYMOUS_LIMIT + ";w=3600");
        }
        Reply limited = second.call("POST", "/api/v1/auth/login").json(Map.of("tenant", "x", "email", "a@b.c",
                "password", "p")).anonymous().send();
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(limited.header("Retry-After")).isPresent();
        assertThat(second.call("GET", "/api/v1/agents").anonymous().send().status()).isEqualTo(429);

        assertThat(second.call("GET", "/actuator/health").anonymous().send().status()).as("health is exempt").isEqualTo(200);
        assertThat(second.get("/api/v1/agents?limit=1").status()).as("a caller with credentials has buckets of its own")
            .isEqualTo(200);
    }

    @Test
    void aChangedLimitTakesEffectAtOnceBothWays() {
        TestTenant tenant = newTenant(api, "rc");
        Api owner = tenant.owner();
        setReadLimit(tenant, 20);
        assertThat(statuses(owner, 25)).as("20 of 25 within the first limit").containsEntry(200, 20L).containsEntry(429, 5L);

        setReadLimit(tenant, 100_000);
        assertThat(statuses(owner, 30)).as("raised: all let through").containsExactly(Map.entry(200, 30L));

        setReadLimit(tenant, 20);
        Map<Integer, Long> lowered = statuses(owner, 25);
        assertThat(lowered.getOrDefault(200, 0L)).as("lowered again: enforced " + lowered).isLessThanOrEqualTo(20L);
        assertThat(lowered.getOrDefault(429, 0L)).as("lowered again: enforced " + lowered).isGreaterThanOrEqualTo(5L);
    }

    private void setReadLimit(TestTenant tenant, long principal) {
        Reply limited = api.put("/api/v1/tenants/" + tenant.id() + "/rate-limits/read",
                Map.of("principal", principal, "tenant", 1_000_000, "periodSeconds", 3600));
        assertThat(limited.status()).as(limited.toString()).isEqualTo(200);
    }

    private static Map<Integer, Long> statuses(Api as, int reads) {
        return java.util.stream.IntStream.range(0, reads)
            .mapToObj(i -> as.get("/api/v1/agents?limit=1").status())
            .collect(java.util.stream.Collectors.groupingBy(status -> status, java.util.TreeMap::new,
                    java.util.stream.Collectors.counting()));
    }

    @Test
    void survivesRedisGoingAwayAndComingBack() {
        Api owner = RateLimitIT.tenantWithLimit(api, "read", 3, 100000, 3600);
        Api viaSecond = secondInstance(ownerKey(owner));
        for (int i = 0; i < 3; i++) {
            assertThat(owner.get("/api/v1/agents").status()).isEqualTo(200);
        }
        assertThat(owner.get("/api/v1/agents").status()).isEqualTo(429);

        REDIS.stop();
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Reply open = owner.get("/api/v1/agents");
                assertThat(open.status()).as("fail open: let through").isEqualTo(200);
                assertThat(open.header("RateLimit")).isEmpty();
            });
            Reply closed = viaSecond.get("/api/v1/agents");
            assertThat(closed.status()).as("fail closed: refuse").isEqualTo(503);
            assertThat(closed.json().get("type").asString()).endsWith("/gateway/rate-limiter-unavailable");
            assertThat(closed.header("Retry-After")).isPresent();
        }
        finally {
            REDIS.start();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(owner.get("/api/v1/agents").status()).as("the bucket in Redis is still empty").isEqualTo(429);
            assertThat(viaSecond.get("/api/v1/agents").status()).isEqualTo(429);
        });
    }

    private static String ownerKey(Api api) {
        return api.apiKey();
    }
}
