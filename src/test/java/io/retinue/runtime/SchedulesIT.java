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
import io.retinue.testing.StatementLog;
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

    private JsonNode awaitPaused(Api owner, String schedule) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
            .until(() -> owner.get("/api/v1/schedules/" + schedule).json(), view -> view.get("paused").asBoolean());
    }

    private void assertFiresNoMore(Api owner, String schedule) {
        int fires = owner.get("/api/v1/schedules/" + schedule + "/fires").json().size();
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().size() == fires);
    }

    /**
     * With no schedule due soon, the instance waits for the next one due instead of looking every second (a query each
     * time, on every idle instance); a schedule made fires at its first due time all the same.
     */
    @Test
    void anIdleInstanceWaitsForTheNextScheduleDueInsteadOfLookingEverySecond() throws Exception {
        Api owner = newTenant(api, "si").owner();
        String agent = publishedAgent(owner);
        String yearly = schedule(owner, agent, "0 0 0 1 1 *");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM runtime.schedule WHERE paused = FALSE AND next_run_at < :soon")
            .param("soon", OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(10))
            .query(Long.class)
            .single() == 0);
        long looks = ((StatementLog) dataSource).sentWhileIdle(Duration.ofSeconds(3)).stream()
            .filter(sent -> sent.sql().contains("FROM runtime.schedule WHERE paused = FALSE AND next_run_at <="))
            .count();
        assertThat(looks).as("looks for due schedules in 3 s of idling").isLessThanOrEqualTo(1);

        String everySecond = schedule(owner, agent, "* * * * * *");
        await().atMost(Duration.ofSeconds(4))
            .until(() -> owner.get("/api/v1/schedules/" + everySecond + "/fires").json().size() >= 1);
        assertThat(owner.delete("/api/v1/schedules/" + everySecond).status()).isEqualTo(204);
        assertThat(owner.delete("/api/v1/schedules/" + yearly).status()).isEqualTo(204);
    }

    @Test
    void aScheduleWhoseKeyIsRevokedPausesOnceWithTheReasonIsAuditedAndIsResumedAsAnotherPrincipal() {
        Api owner = newTenant(api, "scr").owner();
        String slug = publishedAgent(owner);
        Api.Reply issued = owner.post("/api/v1/api-keys", Map.of("name", "scheduler",
                "scopes", List.of("runs:execute", "runs:read", "agents:read")));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String keyId = issued.json().at("/key/id").asString();
        Api scheduler = owner.as(issued.json().get("secret").asString());
        String schedule = schedule(scheduler, slug, "* * * * * *");
        assertThat(owner.get("/api/v1/schedules/" + schedule).json().get("runsAs").asString()).isEqualTo("key:" + keyId);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json().size() >= 1);

        assertThat(owner.delete("/api/v1/api-keys/" + keyId).status()).isEqualTo(204);
        JsonNode paused = awaitPaused(owner, schedule);
        assertThat(paused.get("pausedReason").asString()).contains("key " + keyId + " was revoked")
            .contains("/api/v1/schedules/" + schedule + "/resume");
        assertThat(paused.get("nextRunAt").isNull()).isTrue();
        assertFiresNoMore(owner, schedule);
        List<JsonNode> fires = owner.get("/api/v1/schedules/" + schedule + "/fires").json().valueStream().toList();
        assertThat(fires.getFirst().get("error").asString()).as("the pausing fire says why").contains("revoked");
        assertThat(fires.stream().filter(fire -> !fire.get("error").isNull())).as("paused once").hasSize(1);
        assertThat(fires.stream().skip(1)).as("no run started as the revoked key")
            .allSatisfy(fire -> assertThat(fire.get("runId").isNull()).isFalse());
        JsonNode audited = owner.get("/api/v1/audit-events?action=schedule.paused").json().get("items");
        assertThat(audited).hasSize(1);
        assertThat(audited.get(0).get("actor").asString()).isEqualTo("key:" + keyId);
        assertThat(audited.get(0).get("target").asString()).isEqualTo("schedule:" + schedule);
        assertThat(audited.get(0).get("outcome").asString()).isEqualTo("denied");

        JsonNode resumed = owner.post("/api/v1/schedules/" + schedule + "/resume", "").json();
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(resumed.get("pausedReason").isNull()).isTrue();
        assertThat(resumed.get("runsAs").asString()).isEqualTo("key:" + owner.apiKey().substring(4, 16));
        int before = fires.size();
        JsonNode latest = await().atMost(Duration.ofSeconds(10))
            .until(() -> owner.get("/api/v1/schedules/" + schedule + "/fires").json(), now -> now.size() > before)
            .get(0);
        assertThat(latest.get("runId").isNull()).as(latest.toString()).isFalse();
        owner.delete("/api/v1/schedules/" + schedule);
    }

    @Test
    void anAgentWithActiveSchedulesIsNotDeletedAndArchivingItPausesThem() {
        Api owner = newTenant(api, "sca").owner();
        String slug = publishedAgent(owner);
        String schedule = schedule(owner, slug, "0 0 1 1 *");

        Api.Reply inUse = owner.delete("/api/v1/agents/" + slug);
        assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
        assertThat(inUse.json().get("type").asString()).endsWith("/agents/agent-in-use");
        assertThat(inUse.json().get("dependents").toString()).contains("1 active schedule(s): " + schedule);

        assertThat(owner.post("/api/v1/agents/" + slug + "/archive", "").status()).isEqualTo(200);
        JsonNode paused = awaitPaused(owner, schedule);
        assertThat(paused.get("pausedReason").asString()).contains("'" + slug + "' was archived").contains("resum");
        assertThat(owner.delete("/api/v1/agents/" + slug).status()).as("paused schedules do not hold it")
            .isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> owner.get("/api/v1/schedules/" + schedule).json()
            .get("pausedReason").asString().contains("was deleted"));
        Api.Reply resumed = owner.post("/api/v1/schedules/" + schedule + "/resume", "");
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(409);
        assertThat(resumed.json().get("type").asString()).endsWith("/runtime/agent-not-runnable");
    }

    @Test
    void aScheduleWhoseAgentIsGoneWhenItFiresPausesOnceInsteadOfFailingEveryTick() {
        Api owner = newTenant(api, "scg").owner();
        String schedule = schedule(owner, publishedAgent(owner), "* * * * * *");
        // As a schedule left behind before agents' deletion and archiving paused theirs.
        JdbcClient.create(dataSource).sql("UPDATE runtime.schedule SET agent_slug = 'gone-agent' WHERE id = :id")
            .param("id", java.util.UUID.fromString(schedule))
            .update();
        JsonNode paused = awaitPaused(owner, schedule);
        assertThat(paused.get("pausedReason").asString()).contains("'gone-agent' has no published version");
        assertFiresNoMore(owner, schedule);
        assertThat(owner.get("/api/v1/schedules/" + schedule + "/fires").json().valueStream()
            .filter(fire -> !fire.get("error").isNull())).as("one refused fire, not one a second").hasSize(1);
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
        // The second instance was killed: a run it held is taken over once its lease (30 s) lapses.
        await().atMost(Duration.ofSeconds(50)).until(() -> owner.get("/api/v1/runs?agent=" + slug + "&limit=200")
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
