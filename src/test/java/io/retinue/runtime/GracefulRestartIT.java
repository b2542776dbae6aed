package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;

/**
 * The embedded default stopped the way an orchestrator stops it (SIGTERM) while a run is in flight, then started
 * again on the same H2 file: the stop lets go of the run — its lease given up in the database — and the restarted
 * application goes on with it at once. The lease here outlasts the test, so only a lease actually given up lets the
 * run go on: H2's own shutdown hook once closed the database under the application's graceful shutdown, and every
 * write it still had to make failed.
 */
class GracefulRestartIT {

    private static final String KEY = "rtn_GracefulStop_abcdefghijklmnopqrstuvwxyz012345";

    private AppProcess app;

    @AfterEach
    void killLeftover() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aRunInFlightWhenTheEmbeddedDefaultStopsGoesOnOnceItIsBack(@TempDir Path directory) throws Exception {
        app = AppProcess.embedded(directory, KEY, "--retinue.runtime.queue.lease=10m").start();
        Api api = new Api(app.port(), KEY);
        assertThat(api.post("/api/v1/agents", Map.of("slug", "patient-bot", "name", "Patient bot", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You take your time."),
                "tools", List.of(),
                "limits", Map.of("runTimeoutSeconds", 600)))).status()).isEqualTo(201);
        api.post("/api/v1/agents/patient-bot/versions/1/publish", "");
        Api.Reply accepted = api.call("POST", "/api/v1/runs?mode=async")
            .json(Map.of("agent", "patient-bot", "input", "[[slow:6000]] hello"))
            .send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String run = "/api/v1/runs/" + accepted.json().at("/run/id").asString();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> api.get(run).json().at("/run/status").asString().equals("running"));

        app.stop();
        assertThat(Files.readString(app.log()))
            .as("the graceful stop wrote what it had to write; see " + app.log())
            .doesNotContain("Could not open JDBC Connection")
            .doesNotContain("Database is already closed");

        app.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> api.get(run).json().at("/run/status").asString().equals("completed"));
        assertThat(api.get(run).json().at("/run/output").asString()).contains("hello");
    }
}
