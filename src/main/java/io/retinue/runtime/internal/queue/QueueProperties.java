package io.retinue.runtime.internal.queue;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.runtime.queue.*}: how many runs this instance works on at once ({@code workers}), how many of them
 * one tenant may hold ({@code max-per-tenant}, so a tenant's backlog cannot starve the others), how long a lease
 * lasts before another instance may take the run over ({@code lease}; renewed every third of it), how often the
 * instance looks for runs queued elsewhere for its idle workers ({@code poll}), and how many queued runs are accepted before new async runs
 * are refused with 503 and Retry-After ({@code max-depth}); how long a run waits for a decision on a held-back tool
 * call before it is cancelled ({@code approval-expiry}); and how long a stopping instance lets the tool calls in
 * progress finish before it cuts them short ({@code drain}; model calls stop at once).
 */
@ConfigurationProperties("retinue.runtime.queue")
public record QueueProperties(Integer workers, Integer maxPerTenant, Duration lease, Duration poll, Long maxDepth,
        Duration approvalExpiry, Duration drain) {

    public QueueProperties {
        workers = workers == null ? 16 : workers;
        maxPerTenant = maxPerTenant == null ? Math.max(1, workers / 2) : maxPerTenant;
        lease = lease == null ? Duration.ofSeconds(30) : lease;
        poll = poll == null ? Duration.ofSeconds(1) : poll;
        maxDepth = maxDepth == null ? 10_000L : maxDepth;
        approvalExpiry = approvalExpiry == null ? Duration.ofDays(7) : approvalExpiry;
        // Within the 30 s a graceful shutdown's phase gets, and an orchestrator's grace (deploy/: 40 s and 45 s).
        drain = drain == null ? Duration.ofSeconds(15) : drain;
    }
}
