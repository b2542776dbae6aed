package io.retinue.shared.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;

/** Outbound calls to a real HTTP server: breaker, timeout, retries of idempotent calls, problems and metrics. */
class OutboundCallsIT extends PlatformIT {

    private TestUpstream upstream;

    @BeforeEach
    void upstream() throws Exception {
        upstream = new TestUpstream();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private Reply call(String target, String path, boolean idempotent) {
        return api.get("/api/v1/test/upstream?target=" + target + "&idempotent=" + idempotent + "&url="
                + URLEncoder.encode(upstream.url(path), StandardCharsets.UTF_8));
    }

    @Test
    void opensTheBreakerAfterRepeatedFailuresAndClosesItWhenTheTargetRecovers() {
        String target = "breaker-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 4; i++) {
            assertThat(call(target, "/fail", false).status()).isEqualTo(500);
        }
        int before = upstream.requests();
        Reply open = call(target, "/ok", false);
        assertThat(open.status()).isEqualTo(503);
        assertThat(open.contentType()).startsWith("application/problem+json");
        assertThat(open.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/outbound/circuit-open");
        assertThat(open.json().get("target").asString()).isEqualTo(target);
        assertThat(open.header("Retry-After")).contains("2");
        assertThat(upstream.requests()).as("an open breaker does not call out").isEqualTo(before);

        Reply state = api.get("/actuator/metrics/resilience4j.circuitbreaker.state?tag=name:" + target + "&tag=state:open");
        assertThat(state.json().at("/measurements/0/value").asDouble()).isEqualTo(1.0);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
            .until(() -> call(target, "/ok", false).status() == 200);
        assertThat(call(target, "/ok", false).status()).isEqualTo(200);
    }

    @Test
    void propagatesTheCallersTrace() {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        Reply reply = api.call("GET", "/api/v1/test/upstream?target=traced&url="
                + URLEncoder.encode(upstream.url("/ok"), StandardCharsets.UTF_8))
            .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
            .send();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstream.lastTraceparent()).matches("00-" + traceId + "-[0-9a-f]{16}-01")
            .doesNotContain("b7ad6b7169203331");
    }

    @Test
    void slowTargetsTimeOut() {
        Reply slow = call("slow-upstream", "/slow", false);
        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/outbound/timeout");
    }

    @Test
    void retriesOnlyIdempotentCalls() {
        upstream.failNext(2);
        assertThat(call("idempotent-" + java.util.UUID.randomUUID(), "/flaky", true).status()).isEqualTo(200);
        assertThat(upstream.requests()).as("two failures, then success").isEqualTo(3);

        upstream.failNext(1);
        int before = upstream.requests();
        assertThat(call("once-" + java.util.UUID.randomUUID(), "/flaky", false).status()).isEqualTo(500);
        assertThat(upstream.requests() - before).as("a non-idempotent call runs once").isEqualTo(1);
    }
}
