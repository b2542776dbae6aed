package io.retinue.runtime.internal.webhooks;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.runtime.RunEnded;
import io.retinue.runtime.internal.Doorbell;
import io.retinue.runtime.internal.RunLedger;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Page;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.retinue.shared.crypto.SecretBox;
import io.retinue.shared.tracing.Traces;
import io.retinue.shared.outbound.AddressGuard;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.PreDestroy;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells callers who are not polling how their runs ended: a run's own webhook and the tenant's subscriptions (all
 * runs, or one agent's) get a POST of the run's outcome when it ends or waits for a person. Each delivery is signed
 * with the tenant's secret — {@code Retinue-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, so a
 * receiver can check it and refuse old timestamps (replays) — and retried with exponential back-off until it is
 * answered with 2xx or has failed {@code max-attempts} times; then it is a dead letter, listed and retryable over
 * the API. The pending deliveries are written with the run's outcome (they are the outbox), and made at least once.
 */
@Component
public class Webhooks {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

    /** A tenant's subscription. */
    @Schema(description = "A tenant's subscription")
    public record Subscription(UUID id, String url, String agent, Instant createdAt) {
    }

    /** A delivery as listed: never its signature. */
    @Schema(description = "A delivery as listed: never its signature")
    public record Delivery(UUID id, UUID runId, String url, String event, String status, int attempts,
            Instant nextAttemptAt, String lastError, Instant createdAt, Instant deliveredAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final SecretBox box;
    private final Traces traces;
    private final AddressGuard guard;
    private final int maxAttempts;
    private final Duration backoff;
    private final HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    private final SecureRandom random = new SecureRandom();
    /**
     * Each attempt runs on a thread of its own, so that a receiver slow to answer (up to the 10 s timeout) holds up no
     * other delivery; at most this many are in flight on one instance.
     */
    private final Semaphore inFlight = new Semaphore(256);
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Rung when a delivery may be due sooner than {@link #awaitDue} waits: one made or retried here, an attempt
     * recorded (a retry is due after its backoff), or this instance stopping.
     */
    private final Doorbell doorbell = new Doorbell();

    Webhooks(JdbcClient jdbc, JsonMapper json, Clock clock, SecretBox box, Traces traces,
            @Value("${retinue.runtime.webhooks.allowed-internal:}") List<String> allowedInternal,
            @Value("${retinue.runtime.webhooks.max-attempts:8}") int maxAttempts,
            @Value("${retinue.runtime.webhooks.backoff:10s}") Duration backoff) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.box = box;
        this.traces = traces;
        this.guard = new AddressGuard(allowedInternal, "webhooks");
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    /** Refuses a webhook URL that is not http(s) to an outside address, or when the tenant has no secret to sign with. */
    public void check(TenantId tenant, String url, String pointer) {
        List<Violation> problems = new ArrayList<>();
        try {
            guard.check(URI.create(url));
        }
        catch (IllegalArgumentException | AddressGuard.Refused refused) {
            problems.add(new Violation(pointer, refused.getMessage()));
        }
        if (secret(tenant).isEmpty()) {
            problems.add(new Violation(pointer, "the tenant has no webhook signing secret yet: POST "
                    + "/api/v1/webhooks/secret first"));
        }
        if (!problems.isEmpty()) {
            throw DomainProblem.invalid(problems);
        }
    }

    /** A new signing secret for the tenant (the old one stops signing at once); shown this once. */
    public String rotateSecret(TenantId tenant) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = "whsec_" + HexFormat.of().formatHex(bytes);
        if (jdbc.sql("UPDATE runtime.webhook_secret SET sealed = :sealed, created_at = :now WHERE tenant_id = :tenant")
            .param("sealed", box.seal(secret))
            .param("now", Timestamps.of(now()))
            .param("tenant", tenant.value())
            .update() == 0) {
            jdbc.sql("INSERT INTO runtime.webhook_secret (tenant_id, sealed, created_at) VALUES (:tenant, :sealed, :now)")
                .param("tenant", tenant.value())
                .param("sealed", box.seal(secret))
                .param("now", Timestamps.of(now()))
                .update();
        }
        return secret;
    }

    public Subscription subscribe(TenantId tenant, String url, String agent) {
        check(tenant, url == null ? "" : url, "/url");
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO runtime.webhook (id, tenant_id, url, agent_slug, created_at) VALUES (:id, :tenant, :url, "
                + ":agent, :now)")
            .param("id", id)
            .param("tenant", tenant.value())
            .param("url", url)
            .param("agent", agent)
            .param("now", Timestamps.of(now()))
            .update();
        return subscriptions(tenant).stream().filter(subscription -> subscription.id().equals(id)).findFirst()
            .orElseThrow();
    }

    public List<Subscription> subscriptions(TenantId tenant) {
        return jdbc.sql("SELECT * FROM runtime.webhook WHERE tenant_id = :tenant ORDER BY created_at")
            .param("tenant", tenant.value())
            .query((rs, n) -> new Subscription(rs.getObject("id", UUID.class), rs.getString("url"),
                    rs.getString("agent_slug"), Timestamps.read(rs, "created_at")))
            .list();
    }

    public boolean unsubscribe(TenantId tenant, UUID id) {
        return jdbc.sql("DELETE FROM runtime.webhook WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
    }

    /** A page of the tenant's deliveries, newest first. */
    public Page<Delivery> deliveries(TenantId tenant, String status, int limit, String cursor) {
        String filters = "deliveries|" + status;
        KeysetCursor after = KeysetCursor.read(cursor, filters);
        Map<String, Object> params = new java.util.HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (status != null) {
            params.put("status", status);
        }
        if (after != null) {
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        List<Delivery> rows = jdbc.sql("SELECT * FROM runtime.webhook_delivery WHERE tenant_id = :tenant"
                + (status == null ? "" : " AND status = :status")
                + (after == null ? "" : " AND " + KeysetCursor.condition("created_at"))
                + " ORDER BY created_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> new Delivery(rs.getObject("id", UUID.class), rs.getObject("run_id", UUID.class),
                    rs.getString("url"), rs.getString("event"), rs.getString("status"), rs.getInt("attempts"),
                    Timestamps.read(rs, "next_attempt_at"), rs.getString("last_error"), Timestamps.read(rs, "created_at"),
                    Timestamps.read(rs, "delivered_at")))
            .list();
        return KeysetCursor.page(rows, limit, Delivery::createdAt, Delivery::id, filters);
    }

    /** Sends a dead letter (or a pending delivery) again, from a first attempt. */
    public boolean retry(TenantId tenant, UUID id) {
        boolean retried = jdbc.sql("UPDATE runtime.webhook_delivery SET status = 'pending', attempts = 0, "
                + "next_attempt_at = :now, lease_until = NULL WHERE tenant_id = :tenant AND id = :id "
                + "AND status IN ('dead', 'pending')")
            .param("now", Timestamps.of(now()))
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
        if (retried) {
            doorbell.ringAfterCommit();
        }
        return retried;
    }

    /**
     * A run ended (or waits for a person): a pending delivery for its own webhook and each matching subscription, written
     * in the transaction that records the outcome — so that none is lost, nor made for an outcome rolled back.
     */
    public void ended(RunEnded ended, String output, String error, long tokensIn, long tokensOut, BigDecimal cost) {
        ended(ended, jdbc.sql("SELECT webhook_url FROM runtime.run WHERE id = :id").param("id", ended.runId())
            .query(String.class).optional().orElse(null), output, error, tokensIn, tokensOut, cost);
    }

    /** Like {@link #ended(RunEnded, String, String, long, long, BigDecimal)}, for a run whose own webhook is known. */
    public void ended(RunEnded ended, String runWebhook, String output, String error, long tokensIn, long tokensOut,
            BigDecimal cost) {
        deliver(ended.tenant(), ended.runId(), ended.agent(), runWebhook, "", "run." + ended.status(),
                () -> outcome(ended, output, error, tokensIn, tokensOut, cost), ended.occurredAt());
    }

    /** What a run's end tells its receivers. */
    private static Map<String, Object> outcome(RunEnded ended, String output, String error, long tokensIn,
            long tokensOut, BigDecimal cost) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", "run." + ended.status());
        payload.put("runId", ended.runId());
        payload.put("agent", ended.agent());
        payload.put("version", ended.version());
        payload.put("status", ended.status());
        payload.put("errorCode", ended.errorCode());
        payload.put("output", output);
        payload.put("error", RunLedger.stored(error));
        payload.put("tokensIn", tokensIn);
        payload.put("tokensOut", tokensOut);
        payload.put("estimatedCostUsd", cost);
        payload.put("occurredAt", ended.occurredAt());
        return payload;
    }

    /**
     * Something else a run brought about, to tell the tenant ({@code payload} names it as {@code event};
     * {@code subject} names what it is about, e.g. a budget): a pending delivery for each of the tenant's
     * subscriptions for all agents or for {@code agent}, written in the caller's transaction.
     */
    public void notice(TenantId tenant, UUID run, String agent, String subject, Map<String, Object> payload,
            Instant occurredAt) {
        deliver(tenant, run, agent, null, subject, payload.get("event").toString(), () -> payload, occurredAt);
    }

    /** The payload is made only when somebody is to be sent it (most runs' ends have no receiver). */
    private void deliver(TenantId tenant, UUID run, String agent, String runWebhook, String subject, String event,
            java.util.function.Supplier<Map<String, Object>> payload, Instant occurredAt) {
        List<String> urls = new ArrayList<>();
        if (runWebhook != null) {
            urls.add(runWebhook);
        }
        subscriptions(tenant).stream()
            .filter(subscription -> subscription.agent() == null || subscription.agent().equals(agent))
            .forEach(subscription -> urls.add(subscription.url()));
        if (urls.isEmpty()) {
            return;
        }
        String body = json.writeValueAsString(payload.get());
        String trace = traces.current();
        for (String url : urls.stream().distinct().toList()) {
            jdbc.sql("""
                    INSERT INTO runtime.webhook_delivery (id, tenant_id, run_id, url, event, occurred_at, payload,
                        status, attempts, next_attempt_at, created_at, subject, trace_parent)
                    VALUES (:id, :tenant, :run, :url, :event, :occurred, :payload, 'pending', 0, :now, :now, :subject,
                        :trace)""")
                .param("subject", subject)
                .param("trace", trace)
                .param("id", TimeOrderedIds.next())
                .param("tenant", tenant.value())
                .param("run", run)
                .param("url", url)
                .param("event", event)
                .param("occurred", Timestamps.of(occurredAt))
                .param("payload", body)
                .param("now", Timestamps.of(now()))
                .update();
        }
        doorbell.ringAfterCommit();
    }

    /** Ends an {@link #awaitDue} under way (or the next one) at once. */
    public void wake() {
        doorbell.ring();
    }

    /**
     * Waits until a delivery may be due: the earliest pending one's next attempt (or the end of its claim, while an
     * attempt holds it), one made or retried on this instance, or an attempt recorded — at most {@code longest}, for
     * deliveries other instances made and did not start. While one is due and none could be started (every slot in
     * flight, or another instance claimed it), a quarter of a second.
     */
    public void awaitDue(Duration longest) throws InterruptedException {
        Instant next = jdbc.sql("""
                SELECT MIN(CASE WHEN lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END) AS due
                FROM runtime.webhook_delivery WHERE status = 'pending'""")
            .query((rs, n) -> Timestamps.read(rs, "due"))
            .optional()
            .orElse(null);
        doorbell.await(next, now(), longest);
    }

    /** Starts the deliveries that are due, each on its own thread; answers how many it started. */
    public int deliverDue() {
        Instant now = now();
        List<UUID> due = jdbc.sql("""
                SELECT id FROM runtime.webhook_delivery WHERE status = 'pending' AND next_attempt_at <= :now
                    AND (lease_until IS NULL OR lease_until < :now)
                ORDER BY next_attempt_at FETCH FIRST 50 ROWS ONLY""")
            .param("now", Timestamps.of(now))
            .query(UUID.class)
            .list();
        int started = 0;
        for (UUID id : due) {
            if (!inFlight.tryAcquire()) {
                break;
            }
            // Claimed by a conditional update: one instance makes each attempt. The claim outlasts an attempt (its
            // timeout is 10 s), so no other takes it meanwhile.
            if (jdbc.sql("UPDATE runtime.webhook_delivery SET lease_until = :until WHERE id = :id AND status = 'pending' "
                    + "AND (lease_until IS NULL OR lease_until < :now)")
                .param("until", Timestamps.of(now.plusSeconds(60)))
                .param("id", id)
                .param("now", Timestamps.of(now))
                .update() == 1) {
                attempts.submit(() -> {
                    try {
                        attempt(id);
                    }
                    catch (RuntimeException failed) {
                        // Its claim lapses and it is attempted again.
                        log.warn("Could not record webhook delivery {}: {}", id, failed.getMessage());
                    }
                    finally {
                        inFlight.release();
                    }
                });
                started++;
            }
            else {
                inFlight.release();
            }
        }
        return started;
    }

    /** Lets the attempts under way finish (each within its timeout) before the database goes; starts none. */
    @PreDestroy
    void finishAttempts() throws InterruptedException {
        attempts.shutdown();
        attempts.awaitTermination(15, TimeUnit.SECONDS);
    }

    private void attempt(UUID id) {
        record Row(TenantId tenant, String url, String event, String payload, int attempts, String traceParent) {
        }
        Row row = jdbc.sql("SELECT * FROM runtime.webhook_delivery WHERE id = :id")
            .param("id", id)
            .query((rs, n) -> new Row(new TenantId(rs.getString("tenant_id")), rs.getString("url"), rs.getString("event"),
                    rs.getString("payload"), rs.getInt("attempts"), rs.getString("trace_parent")))
            .single();
        String error = null;
        try {
            guard.check(URI.create(row.url()));
            String secret = secret(row.tenant()).orElseThrow(() -> new IllegalStateException("no signing secret"));
            long timestamp = clock.instant().getEpochSecond();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(row.url()));
            if (row.traceParent() != null) {
                // The receiver's work joins the trace of the run that caused the delivery.
                request.header(Traces.HEADER, row.traceParent());
            }
            HttpResponse<Void> response = http.send(request
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Retinue-Event", row.event())
                .header("Retinue-Delivery", id.toString())
                .header("Retinue-Signature", "t=" + timestamp + ",v1=" + sign(secret, timestamp + "." + row.payload()))
                .POST(HttpRequest.BodyPublishers.ofString(row.payload()))
                .build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                error = "HTTP " + response.statusCode();
            }
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        catch (Exception failed) {
            error = failed.getClass().getSimpleName() + ": " + failed.getMessage();
        }
        int attempts = row.attempts() + 1;
        if (error == null) {
            jdbc.sql("UPDATE runtime.webhook_delivery SET status = 'delivered', attempts = :attempts, delivered_at = :now, "
                    + "lease_until = NULL, last_error = NULL WHERE id = :id")
                .param("attempts", attempts)
                .param("now", Timestamps.of(now()))
                .param("id", id)
                .update();
            return;
        }
        boolean dead = attempts >= maxAttempts;
        long delay = backoff.toMillis() * (1L << Math.min(attempts - 1, 12));
        jdbc.sql("UPDATE runtime.webhook_delivery SET status = :status, attempts = :attempts, next_attempt_at = :next, "
                + "lease_until = NULL, last_error = :error WHERE id = :id")
            .param("status", dead ? "dead" : "pending")
            .param("attempts", attempts)
            .param("next", dead ? null : Timestamps.of(now().plusMillis(Math.min(delay, Duration.ofHours(1).toMillis()))))
            .param("error", error.length() > 2000 ? error.substring(0, 2000) : error)
            .param("id", id)
            .update();
        if (dead) {
            log.warn("Webhook delivery {} to {} is a dead letter after {} attempts: {}", id, row.url(), attempts, error);
        }
        else {
            doorbell.ring(); // its next attempt may be due before the wait under way ends
        }
    }

    private Optional<String> secret(TenantId tenant) {
        return jdbc.sql("SELECT sealed FROM runtime.webhook_secret WHERE tenant_id = :tenant")
            .param("tenant", tenant.value())
            .query(String.class)
            .optional()
            .map(box::open);
    }

    static String sign(String secret, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException(unavailable);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
