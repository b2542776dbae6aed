package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;

/** In-process token buckets: exact limits, shared tenant buckets, headers and 429 answers. */
class RateLimitIT extends PlatformIT {

    /** A fresh tenant with the given limits for one route class, and an API for its owner. */
    static Api tenantWithLimit(Api admin, String routeClass, long principal, long tenant, long periodSeconds) {
        TestTenant made = newTenant(admin, "rl");
        Reply limited = admin.put("/api/v1/tenants/" + made.id() + "/rate-limits/" + routeClass,
                Map.of("principal", principal, "tenant", tenant, "periodSeconds", periodSeconds));
        assertThat(limited.status()).as(limited.toString()).isEqualTo(200);
        return made.owner();
    }

    static List<Reply> concurrently(int count, java.util.function.IntFunction<Reply> request) throws Exception {
        List<Reply> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> request.apply(n)));
            }
            for (Future<Reply> future : futures) {
                replies.add(future.get());
            }
        }
        return replies;
    }

    @Test
    void timesWhatAdmittingARequestCostsPerStep() {
        double before = api.get("/actuator/metrics/retinue.gateway.admission?tag=step:rate-limit").json()
            .at("/measurements/0/value").asDouble();
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/api/v1/agents").status()).isEqualTo(200);
        }
        for (String step : List.of("authentication", "rate-limit")) {
            Reply timer = api.get("/actuator/metrics/retinue.gateway.admission?tag=step:" + step);
            assertThat(timer.status()).as(timer.toString()).isEqualTo(200);
            assertThat(timer.json().at("/measurements/0/statistic").asString()).isEqualTo("COUNT");
            assertThat(timer.json().at("/measurements/1/value").asDouble()).as("total time of " + step).isPositive();
        }
        assertThat(api.get("/actuator/metrics/retinue.gateway.admission?tag=step:rate-limit").json()
            .at("/measurements/0/value").asDouble()).as("every request is counted").isGreaterThanOrEqualTo(before + 3);
    }

    @Test
    void answersWithHeadersUntilTheBucketIsEmptyThen429() {
        TestTenant made = newTenant(api, "rl");
        api.put("/api/v1/tenants/" + made.id() + "/rate-limits/read", Map.of("principal", 5, "tenant", 1000,
                "periodSeconds", 3600)).expect(200);
        Api owner = made.owner();

        for (int left = 4; left >= 0; left--) {
            int i = left;
            Reply ok = owner.get("/api/v1/agents");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Policy")).contains("\"read-principal\";q=5;w=3600, \"read-tenant\";q=1000;w=3600");
            assertThat(ok.header("RateLimit")).hasValueSatisfying(value -> assertThat(value).startsWith("\"read-principal\";r=" + i + ";t="));
        }
        Reply refused = owner.get("/api/v1/agents");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/rate-limited");
        assertThat(Long.parseLong(refused.header("Retry-After").orElseThrow())).isBetween(1L, 720L);
        assertThat(owner.post("/api/v1/agents", Agents.create(uniqueSlug("other-class"), Map.of())).status())
            .as("another route class has its own bucket").isEqualTo(201);
        // The refusal is counted by the policy that refused it and the tenant, for the Prometheus scrape.
        assertThat(api.get("/actuator/metrics/retinue.rate-limit.refusals?tag=policy:read-principal&tag=tenant:"
                + made.id()).expect(200).json().at("/measurements/0/value").asDouble()).isEqualTo(1);
    }

    @Test
    void principalsOfOneTenantShareItsBucket() {
        Api owner = tenantWithLimit(api, "read", 1000, 6, 3600);
        Api second = owner.as(owner.post("/api/v1/api-keys", Map.of("name", "second", "scopes", List.of("agents:read")))
            .json().get("secret").asString());

        int allowed = 0;
        for (int i = 0; i < 5; i++) {
            allowed += owner.get("/api/v1/agents").status() == 200 ? 1 : 0;
            allowed += second.get("/api/v1/agents").status() == 200 ? 1 : 0;
        }
        assertThat(allowed).as("the key creation above was a write, so all 6 reads remain").isEqualTo(6);
        assertThat(second.get("/api/v1/agents").header("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"read-tenant\""));
    }

    @Test
    void holdsExactlyUnderConcurrentLoad() throws Exception {
        Api owner = tenantWithLimit(api, "read", 100, 100000, 3600);
        List<Reply> replies = concurrently(300, i -> owner.get("/api/v1/agents?limit=1"));
        assertThat(replies).filteredOn(reply -> reply.status() == 200).hasSize(100);
        assertThat(replies).filteredOn(reply -> reply.status() == 429).hasSize(200);
    }

    @Test
    void limitsInForceAreReadableAndOverridesCanBeReset() {
        Reply defaults = api.get("/api/v1/rate-limits");
        assertThat(defaults.json().at("/read/principal").asLong()).isEqualTo(100000);
        Api owner = tenantWithLimit(api, "write", 7, 70, 60);
        assertThat(owner.get("/api/v1/rate-limits").json().at("/write/principal").asLong()).isEqualTo(7);
        assertThat(owner.put("/api/v1/tenants/default/rate-limits/read", Map.of("principal", 1, "tenant", 1, "periodSeconds", 1)).status())
            .as("only platform admins override limits").isEqualTo(403);
        assertThat(api.put("/api/v1/tenants/nope/rate-limits/read", Map.of("principal", 1, "tenant", 1, "periodSeconds", 1)).status()).isEqualTo(404);
        assertThat(api.put("/api/v1/tenants/default/rate-limits/fast", Map.of("principal", 1, "tenant", 1, "periodSeconds", 1)).status()).isEqualTo(404);
        assertThat(api.put("/api/v1/tenants/default/rate-limits/read", Map.of("principal", 0, "tenant", 1, "periodSeconds", 1)).status()).isEqualTo(422);
    }
}
