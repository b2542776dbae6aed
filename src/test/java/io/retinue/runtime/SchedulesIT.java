package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestDatabase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Cron schedules: validated, fired once per due time with two instances on one database, paused, resumed. */
class SchedulesIT extends PlatformIT {

    @Autowired
    DataSource dataSource;

    private String publishedAgent(Api owner) {
        ObjectNode body = Agents.create(uniqueSlug("cron"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        return slug;
    }

    private String schedule(Api owner, String agent, String cron) {
        Api.Reply created = owner.post("/api/v1/schedules", Map.of("agent", agent, "input", "tick", "variables",
                Map.of("company", "ACME"), "cron", cron, "timeZone", "UTC"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    /** As if every instance had been down since {@code since}: the schedule was last due then. */
    private void dueSince(String schedule, Instant since) {
        JdbcClient.create(dataSource).sql("UPDATE runtime.schedule SET next_run_at = :since WHERE id = :id")
            .param("since", since.atOffset(ZoneOffset.UTC))
            .param("id", java.util.UUID.fromString(schedule))
            .update();
    }

    @Test
    void timesMissedWhileNoInstanceRanFireOnceForTheLatest() {
        Api owner = newTenant(api, "scm").owner();
        String schedule = schedule(owner, publishedAgent(owner), "0 0 * * *");
        Instant midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC);
        dueSince(schedule, midnight.minus(Duration.ofDays(3)));

        List<JsonNode> fires = await().atMost(Duration.ofSeconds(10))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().valueStream().toList(),
                    list -> !list.isEmpty());
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().size() == 1);
        assertThat(Instant.parse(fires.getFirst().get("dueAt").asString())).as("the latest missed time")
            .isEqualTo(midnight);
        assertThat(fires.getFirst().get("runId").isNull()).isFalse();
        assertThat(OffsetDateTime.parse(owner.get("/api/v1/schedules/" + schedule).json().get("nextRunAt").asString())
            .toInstant()).isEqualTo(midnight.plus(Duration.ofDays(1)));
    }

    @Test
    void aScheduleFiresOncePerDueTimeWithTwoInstancesAndCanBePausedAndResumed() {
        Api owner = newTenant(api, "sch").owner();
        ObjectNode body = Agents.create(uniqueSlug("cron"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");

        Api.Reply invalid = owner.post("/api/v1/schedules", Map.of("agent", "nobody", "input", "", "cron", "every day",
                "timeZone", "Mars/Olympus"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("errors").valueStream().map(e -> e.get("pointer").asString()))
            .containsExactlyInAnyOrder("/agent", "/input", "/cron", "/timeZone");

        // A second instance of the application on the same database fires schedules too.
        try (AppProcess second = new AppProcess(TestDatabase.url(), ADMIN_KEY).start()) {
            Api.Reply created = owner.post("/api/v1/schedules", Map.of("agent", slug, "input", "tick", "variables",
                    Map.of("company", "ACME"), "cron", "* * * * * *", "timeZone", "Europe/Berlin"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String schedule = created.header("Location").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> owner.get(schedule + "/fires").json().size() >= 6);
            assertThat(second.isAlive()).isTrue();
        }
        String schedule = owner.get("/api/v1/schedules").json().at("/items/0/id").asString();
        JsonNode paused = owner.post("/api/v1/schedules/" + schedule + "/pause", "").json();
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(paused.get("nextRunAt").isNull()).isTrue();

        List<JsonNode> fires = owner.get("/api/v1/schedules/" + schedule + "/fires").json().valueStream().toList();
        assertThat(fires.stream().map(fire -> fire.get("dueAt").asString()).distinct()).as("one fire per due time")
            .hasSize(fires.size());
        assertThat(fires).allSatisfy(fire -> assertThat(fire.get("runId").isNull()).as(fire.toString()).isFalse());
        assertThat(fires.stream().map(fire -> Instant.parse(fire.get("dueAt").asString()).getNano()))
            .as("due times are whole seconds").containsOnly(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> owner.get("/api/v1/runs?agent=" + slug + "&limit=200")
            .json().get("items").valueStream().allMatch(run -> run.get("status").asString().equals("completed")));
        assertThat(owner.get("/api/v1/runs?agent=" + slug + "&limit=200").json().get("items"))
            .as("one run per fire, none twice").hasSize(fires.size());

        int firedWhilePaused = fires.size();
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().size() == firedWhilePaused);
        JsonNode resumed = owner.post("/api/v1/schedules/" + schedule + "/resume", "").json();
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().size() > firedWhilePaused);

        assertThat(owner.delete("/api/v1/schedules/" + schedule).status()).isEqualTo(204);
        assertThat(owner.get("/api/v1/schedules/" + schedule).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/schedules/" + schedule).status()).as("other tenants see nothing").isEqualTo(404);
    }
}
