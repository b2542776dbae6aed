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
                "--retinue.rate-limit.redis-failure=closed");
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
