package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.TestDatabase;

/**
 * A full queue refuses new async runs with 503 and Retry-After instead of growing without bound, and shows its depth
 * and age as metrics. The application runs in a process of its own, with no workers, so nothing drains its queue.
 */
class BackpressureIT {

    private static final String KEY = "rtn_Backpressure_abcdefghijklmnopqrstuvwxyz012345";

    @Test
    void aFullQueueRefusesNewAsyncRunsWithRetryAfter() {
        try (AppProcess app = new AppProcess(TestDatabase.fresh(), KEY, "--retinue.runtime.queue.workers=0",
                "--retinue.runtime.queue.max-depth=3").start()) {
            Api api = new Api(app.port(), KEY);
            assertThat(api.post("/api/v1/agents", Map.of("slug", "waiting", "name", "Waiting", "config", Map.of(
                    "model", Map.of("provider", "demo", "name", "demo-echo"),
                    "instructions", Map.of("system", "Wait.")))).status()).isEqualTo(201);
            api.post("/api/v1/agents/waiting/versions/1/publish", "");
            for (int i = 0; i < 3; i++) {
                assertThat(api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "waiting", "input", "n" + i))
                    .send().status()).isEqualTo(202);
            }
            Api.Reply refused = api.call("POST", "/api/v1/runs?mode=async")
                .json(Map.of("agent", "waiting", "input", "one too many")).send();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().get("type").asString()).endsWith("runtime/queue-full");
            assertThat(refused.header("Retry-After")).hasValue("5");
            Api.Streamed streamed = api.call("POST", "/api/v1/runs?mode=stream")
                .json(Map.of("agent", "waiting", "input", "stream"))
                .stream();
            assertThat(streamed.status()).as("a streamed run starts at once, not behind the queue").isEqualTo(200);
            assertThat(streamed.types()).contains("text.delta").endsWith("run.completed");
            assertThat(api.post("/api/v1/runs", Map.of("agent", "waiting", "input", "waited for")).json()
                .at("/run/status").asString()).as("a run waited for does not queue").isEqualTo("completed");

            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/actuator/metrics/retinue.runs.queue.depth")
                .json().at("/measurements/0/value").asDouble() == 3.0);
            assertThat(api.get("/actuator/metrics/retinue.runs.queue.oldest.seconds").json()
                .at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(api.get("/api/v1/runs?status=queued").json().get("items")).hasSize(3);
        }
    }
}
