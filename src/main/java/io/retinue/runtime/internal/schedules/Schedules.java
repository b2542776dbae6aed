package io.retinue.runtime.internal.schedules;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.gateway.AuditTrail;
import io.retinue.gateway.PrincipalStanding;
import io.retinue.gateway.Principals;
import io.retinue.runtime.internal.AgentRunner;
import io.retinue.runtime.internal.Doorbell;
import io.retinue.runtime.internal.cache.Cached;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;
import io.retinue.shared.Page;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cron-style schedules that start a run of an agent with a given input ({@code runtime.schedule}). A due schedule
 * fires once per due time however many instances look: moving its next time on is a conditional update, and the
 * fire is recorded under the due time's key, in the same transaction as the run it queues. A schedule that was due
 * several times while no instance ran fires once, for the latest. Runs start as the principal who made (or last
 * resumed) the schedule, as that principal stands at each fire: when it may no longer run the agent (a revoked or
 * expired key, a disabled user, {@code runs:execute} or the agent lost) or the agent is gone, the schedule pauses
 * once with the reason, and a principal who may run the agent resumes it as theirs.
 */
@Component
public class Schedules {

    private static final Logger log = LoggerFactory.getLogger(Schedules.class);

    /** What a tenant sends to schedule runs. {@code cron}: 5 fields (minute …) or 6 (second …); {@code timeZone}: IANA. */
    @Schema(description = "What to run on a schedule: the agent (and version), input and variables, a cron of 5 or "
            + "6 fields and an IANA time zone")
    public record ScheduleRequest(String agent, Integer version, String input, Map<String, String> variables,
            String cron, String timeZone) {
    }

    /**
     * A schedule as shown. {@code runsAs}: the principal its runs start as; {@code pausedReason}: why the platform
     * paused it (null when it runs or a person paused it).
     */
    @Schema(description = "A schedule as shown; runsAs is the principal its runs start as, pausedReason why the "
            + "platform paused it")
    public record Schedule(UUID id, String agent, Integer version, String input, Map<String, String> variables,
            String cron, String timeZone, boolean paused, String pausedReason, String runsAs, Instant nextRunAt,
            Instant createdAt, Instant updatedAt) {
    }

    /** How a schedule paused by the platform is resumed; part of its {@code pausedReason}. */
    static final String RESUME_HINT = "; resuming it (POST /api/v1/schedules/{id}/resume) as a key or user that may "
            + "run the agent makes it run as them";

    /** One time a schedule fired: the run it queued, or why it could not. */
    @Schema(description = "One time a schedule fired: the run it queued, or why it could not")
    public record Fire(Instant dueAt, UUID runId, String error, Instant firedAt) {
    }

    /** Rung when a schedule may be due sooner than {@link #awaitDue} waits: one made or resumed here, or a stop. */
    private final Doorbell doorbell = new Doorbell();
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final AgentCatalog agents;
    private final AgentRunner runner;
    private final TransactionTemplate transactions;
    private final Principals principals;
    private final AuditTrail audit;

    Schedules(JdbcClient jdbc, JsonMapper json, Clock clock, @Cached AgentCatalog agents, AgentRunner runner,
            TransactionTemplate transactions, Principals principals, AuditTrail audit) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.agents = agents;
        this.runner = runner;
        this.transactions = transactions;
        this.principals = principals;
        this.audit = audit;
    }

    public Schedule create(Caller caller, ScheduleRequest request) {
        List<Violation> problems = new ArrayList<>();
        CronExpression cron = cron(request.cron(), problems);
        ZoneId zone = zone(request.timeZone(), problems);
        if (request.input() == null || request.input().isBlank()) {
            problems.add(new Violation("/input", "is required"));
        }
        if (request.agent() == null || agents.spec(caller.tenant(), request.agent(), request.version())
            .filter(spec -> mayRun(caller, spec))
            .isEmpty()) {
            // An agent outside the caller's restriction is not shown to exist, as when running it.
            problems.add(new Violation("/agent", "names no published agent version of this tenant"));
        }
        if (!problems.isEmpty()) {
            throw DomainProblem.invalid(problems);
        }
        UUID id = UUID.randomUUID();
        Instant now = now();
        jdbc.sql("""
                INSERT INTO runtime.schedule (id, tenant_id, agent_slug, version, input, variables, cron, time_zone,
                    paused, next_run_at, run_as, created_at, updated_at)
                VALUES (:id, :tenant, :agent, :version, :input, :variables, :cron, :zone, FALSE, :next, :runAs, :now, :now)""")
            .param("id", id)
            .param("tenant", caller.tenant().value())
            .param("agent", request.agent())
            .param("version", request.version())
            .param("input", request.input())
            .param("variables", json.writeValueAsString(request.variables() == null ? Map.of() : request.variables()))
            .param("cron", request.cron().trim())
            .param("zone", zone.getId())
            .param("next", Timestamps.of(next(cron, zone, now)))
            .param("runAs", json.writeValueAsString(caller))
            .param("now", Timestamps.of(now))
            .update();
        doorbell.ringAfterCommit();
        return find(caller.tenant(), id).orElseThrow();
    }

    /** A page of the tenant's schedules, newest first. */
    public Page<Schedule> list(TenantId tenant, int limit, String cursor) {
        KeysetCursor after = KeysetCursor.read(cursor, "schedules");
        Map<String, Object> params = new HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (after != null) {
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        List<Schedule> rows = jdbc.sql("SELECT * FROM runtime.schedule WHERE tenant_id = :tenant"
                + (after == null ? "" : " AND " + KeysetCursor.condition("created_at"))
                + " ORDER BY created_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> schedule(rs))
            .list();
        return KeysetCursor.page(rows, limit, Schedule::createdAt, Schedule::id, "schedules");
    }

    public Optional<Schedule> find(TenantId tenant, UUID id) {
        return jdbc.sql("SELECT * FROM runtime.schedule WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .query((rs, n) -> schedule(rs))
            .optional();
    }

    /** Pauses a schedule (a person's pause: no reason is recorded). */
    public Optional<Schedule> pause(TenantId tenant, UUID id) {
        if (find(tenant, id).isEmpty()) {
            return Optional.empty();
        }
        jdbc.sql("UPDATE runtime.schedule SET paused = TRUE, next_run_at = NULL, updated_at = :now "
                + "WHERE tenant_id = :tenant AND id = :id")
            .param("now", Timestamps.of(now()))
            .param("tenant", tenant.value())
            .param("id", id)
            .update();
        return find(tenant, id);
    }

    /**
     * Resumes a schedule from now (due times missed while paused do not fire), as the caller: whoever resumes it
     * answers for its runs from then on, so a schedule its maker may no longer run can be taken over by one who may.
     * 409 {@code runtime/agent-not-runnable} when its agent has no version to run, as for a run.
     */
    public Optional<Schedule> resume(Caller caller, UUID id) {
        Schedule schedule = find(caller.tenant(), id).orElse(null);
        if (schedule == null) {
            return Optional.empty();
        }
        agents.spec(caller.tenant(), schedule.agent(), schedule.version())
            .filter(spec -> mayRun(caller, spec))
            .orElseThrow(() -> new DomainProblem(AgentRunner.NOT_RUNNABLE, "Agent '" + schedule.agent()
                    + "' has no published version to run (or is archived, or does not exist)"));
        Instant now = now();
        jdbc.sql("UPDATE runtime.schedule SET paused = FALSE, paused_reason = NULL, next_run_at = :next, "
                + "run_as = :runAs, updated_at = :now WHERE tenant_id = :tenant AND id = :id")
            .param("next", Timestamps.of(next(CronExpression.parse(sixFields(schedule.cron())),
                    ZoneId.of(schedule.timeZone()), now)))
            .param("runAs", json.writeValueAsString(caller))
            .param("now", Timestamps.of(now))
            .param("tenant", caller.tenant().value())
            .param("id", id)
            .update();
        doorbell.ringAfterCommit();
        return find(caller.tenant(), id);
    }

    /** Pauses every schedule of an agent that can no longer run, with the reason; answers how many. */
    public int pauseForAgent(TenantId tenant, String slug, String reason) {
        return jdbc.sql("UPDATE runtime.schedule SET paused = TRUE, next_run_at = NULL, paused_reason = :reason, "
                + "updated_at = :now WHERE tenant_id = :tenant AND agent_slug = :slug")
            .param("reason", reason + RESUME_HINT)
            .param("now", Timestamps.of(now()))
            .param("tenant", tenant.value())
            .param("slug", slug)
            .update();
    }

    /** The ids of the schedules that would still start runs of the agent. */
    public List<UUID> activeFor(TenantId tenant, String slug) {
        return jdbc.sql("SELECT id FROM runtime.schedule WHERE tenant_id = :tenant AND agent_slug = :slug "
                + "AND paused = FALSE ORDER BY created_at")
            .param("tenant", tenant.value())
            .param("slug", slug)
            .query(UUID.class)
            .list();
    }

    public boolean delete(TenantId tenant, UUID id) {
        return jdbc.sql("DELETE FROM runtime.schedule WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
    }

    public List<Fire> fires(TenantId tenant, UUID id, int limit) {
        return jdbc.sql("""
                SELECT f.* FROM runtime.schedule_fire f JOIN runtime.schedule s ON s.id = f.schedule_id
                WHERE s.tenant_id = :tenant AND f.schedule_id = :id ORDER BY f.due_at DESC FETCH FIRST :limit ROWS ONLY""")
            .param("tenant", tenant.value())
            .param("id", id)
            .param("limit", Math.max(1, Math.min(500, limit)))
            .query((rs, n) -> new Fire(Timestamps.read(rs, "due_at"), rs.getObject("run_id", UUID.class),
                    rs.getString("error"), Timestamps.read(rs, "fired_at")))
            .list();
    }

    /** Ends an {@link #awaitDue} under way (or the next one) at once. */
    public void wake() {
        doorbell.ring();
    }

    /**
     * Waits until the next schedule is due (of a tenant not suspended), one is made or resumed on this instance, or
     * at most {@code longest}: for one another instance made or resumed and did not fire, or a tenant's suspension
     * lifted.
     */
    public void awaitDue(Duration longest) throws InterruptedException {
        Instant next = jdbc.sql("""
                SELECT MIN(next_run_at) AS due FROM runtime.schedule WHERE paused = FALSE
                    AND tenant_id NOT IN (SELECT tenant_id FROM runtime.suspended_tenant)""")
            .query((rs, n) -> Timestamps.read(rs, "due"))
            .optional()
            .orElse(null);
        doorbell.await(next, now(), longest);
    }

    /** Fires every schedule that is due; answers how many this instance fired. */
    public int fireDue() {
        Instant now = now();
        record Due(UUID id, Instant due) {
        }
        List<Due> due = jdbc.sql("SELECT id, next_run_at FROM runtime.schedule WHERE paused = FALSE AND next_run_at <= :now "
                + "AND tenant_id NOT IN (SELECT tenant_id FROM runtime.suspended_tenant) ORDER BY next_run_at FETCH FIRST 100 ROWS ONLY")
            .param("now", Timestamps.of(now))
            .query((rs, n) -> new Due(rs.getObject("id", UUID.class), Timestamps.read(rs, "next_run_at")))
            .list();
        int fired = 0;
        for (Due schedule : due) {
            try {
                Fired outcome = transactions.execute(tx -> fire(schedule.id(), schedule.due(), now));
                if (outcome != null && outcome.paused() != null) {
                    log.info("Schedule {} paused: {}", schedule.id(), outcome.paused());
                    audit.denied(outcome.maker().tenant(), outcome.maker().principalId(), "schedule.paused",
                            "schedule:" + schedule.id(), outcome.paused());
                }
                if (outcome != null) {
                    fired++;
                }
            }
            catch (RuntimeException failed) {
                // Another instance fired it first (the fire's key), or the database is away: the next look decides.
                log.debug("Schedule {} did not fire for {}: {}", schedule.id(), schedule.due(), failed.getMessage());
            }
        }
        return fired;
    }

    /** A due time taken: the run queued or refused, or — {@code paused} says why — the schedule paused. */
    private record Fired(Caller maker, String paused) {
    }

    /** Takes the due time and queues its run; null when another instance took it first. */
    private Fired fire(UUID id, Instant due, Instant now) {
        record Row(TenantId tenant, String agent, Integer version, String input, Map<String, String> variables,
                String cron, String zone, Caller runAs) {
        }
        Row row = jdbc.sql("SELECT * FROM runtime.schedule WHERE id = :id")
            .param("id", id)
            .query((rs, n) -> new Row(new TenantId(rs.getString("tenant_id")), rs.getString("agent_slug"),
                    rs.getObject("version", Integer.class), rs.getString("input"), variables(rs.getString("variables")),
                    rs.getString("cron"), rs.getString("time_zone"), json.readValue(rs.getString("run_as"), Caller.class)))
            .optional()
            .orElse(null);
        if (row == null) {
            return null;
        }
        CronExpression cron = CronExpression.parse(sixFields(row.cron()));
        ZoneId zone = ZoneId.of(row.zone());
        Instant next = next(cron, zone, now);
        if (jdbc.sql("UPDATE runtime.schedule SET next_run_at = :next WHERE id = :id AND paused = FALSE "
                + "AND next_run_at = :due")
            .param("next", Timestamps.of(next))
            .param("id", id)
            .param("due", Timestamps.of(due))
            .update() == 0) {
            return null;
        }
        // Times missed while no instance looked fire once, under the latest of them (the stored one is the earliest).
        Instant latest = latest(cron, zone, due, now);
        UUID runId = null;
        String error = null;
        String paused = null;
        Standing standing = standing(row.tenant(), row.runAs(), row.agent(), row.version());
        if (standing.refusal() != null) {
            // Every later fire would be refused alike: pause once, with the reason, instead.
            paused = standing.refusal();
            error = paused;
            jdbc.sql("UPDATE runtime.schedule SET paused = TRUE, next_run_at = NULL, paused_reason = :reason, "
                    + "updated_at = :now WHERE id = :id")
                .param("reason", paused + RESUME_HINT)
                .param("now", Timestamps.of(now))
                .param("id", id)
                .update();
        }
        else {
            try {
                runId = runner.start(standing.caller(), new AgentRunner.RunRequest(row.agent(), row.version(),
                        row.input(), row.variables(), null, null, null, null));
            }
            catch (DomainProblem refused) {
                error = refused.getMessage();
            }
        }
        jdbc.sql("INSERT INTO runtime.schedule_fire (schedule_id, due_at, run_id, error, fired_at) "
                + "VALUES (:id, :due, :run, :error, :now)")
            .param("id", id)
            .param("due", Timestamps.of(latest))
            .param("run", runId)
            .param("error", error)
            .param("now", Timestamps.of(now))
            .update();
        return new Fired(row.runAs(), paused);
    }

    /** As whom a schedule's run starts now, or why it may not. */
    private record Standing(Caller caller, String refusal) {
    }

    /** The schedule's principal as it stands now, and whether it may still run the schedule's agent. */
    private Standing standing(TenantId tenant, Caller maker, String agent, Integer version) {
        Caller current;
        switch (principals.standing(maker)) {
            case PrincipalStanding.Lapsed lapsed -> {
                return new Standing(null, lapsed.reason());
            }
            case PrincipalStanding.Current now -> current = now.caller();
        }
        if (!current.scopes().contains(Scopes.RUNS_EXECUTE)) {
            return new Standing(null, maker.principalId() + " no longer holds the scope runs:execute");
        }
        Optional<AgentSpec> spec = agents.spec(tenant, agent, version);
        if (spec.isEmpty()) {
            return new Standing(null, "the agent '" + agent + "' has no published version to run (archived or deleted)");
        }
        if (!mayRun(current, spec.get())) {
            return new Standing(null, maker.principalId() + " may no longer run the agent '" + agent + "'");
        }
        return new Standing(current, null);
    }

    /** A caller restricted to some agents may run only those (named by slug or id). */
    private static boolean mayRun(Caller caller, AgentSpec spec) {
        return !caller.isRestrictedToAgents() || caller.agents().contains(spec.slug())
                || caller.agents().contains(spec.agentId().toString());
    }

    private Schedule schedule(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Schedule(rs.getObject("id", UUID.class), rs.getString("agent_slug"),
                rs.getObject("version", Integer.class), rs.getString("input"), variables(rs.getString("variables")),
                rs.getString("cron"), rs.getString("time_zone"), rs.getBoolean("paused"), pausedReason(rs),
                json.readValue(rs.getString("run_as"), Caller.class).principalId(), Timestamps.read(rs, "next_run_at"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }

    private static String pausedReason(java.sql.ResultSet rs) throws java.sql.SQLException {
        String reason = rs.getString("paused_reason");
        return reason == null ? null : reason.replace("{id}", rs.getObject("id", UUID.class).toString());
    }

    private Map<String, String> variables(String text) {
        return json.readValue(text, new TypeReference<Map<String, String>>() {
        });
    }

    private static CronExpression cron(String text, List<Violation> problems) {
        if (text == null || text.isBlank()) {
            problems.add(new Violation("/cron", "is required"));
            return null;
        }
        try {
            return CronExpression.parse(sixFields(text));
        }
        catch (IllegalArgumentException invalid) {
            problems.add(new Violation("/cron", "is not a cron expression: " + invalid.getMessage()));
            return null;
        }
    }

    /** Unix cron has five fields; Spring's has a leading seconds field. */
    private static String sixFields(String cron) {
        String trimmed = cron.trim();
        return trimmed.split("\\s+").length == 5 ? "0 " + trimmed : trimmed;
    }

    private static ZoneId zone(String text, List<Violation> problems) {
        try {
            return text == null ? ZoneId.of("UTC") : ZoneId.of(text);
        }
        catch (DateTimeException unknown) {
            problems.add(new Violation("/timeZone", "is not a time zone"));
            return ZoneId.of("UTC");
        }
    }

    private static Instant next(CronExpression cron, ZoneId zone, Instant after) {
        if (cron == null) {
            return null;
        }
        ZonedDateTime next = cron.next(after.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /**
     * The last time of the cron at or before {@code now}, {@code due} (the earliest missed one) if none is later.
     * Looks back from now over a doubling window, so a schedule every second that missed a day does not walk through
     * each of its 86,400 times.
     */
    static Instant latest(CronExpression cron, ZoneId zone, Instant due, Instant now) {
        Instant from = due;
        for (Duration window = Duration.ofSeconds(1); now.minus(window).isAfter(due); window = window.multipliedBy(2)) {
            Instant candidate = next(cron, zone, now.minus(window));
            if (candidate != null && !candidate.isAfter(now)) {
                from = candidate;
                break;
            }
        }
        Instant latest = from;
        for (Instant later = next(cron, zone, latest); later != null && !later.isAfter(now);
                later = next(cron, zone, latest)) {
            latest = later;
        }
        return latest;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
