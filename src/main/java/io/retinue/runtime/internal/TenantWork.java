package io.retinue.runtime.internal;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.TenantData;
import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.TenantRows;
import io.retinue.shared.Timestamps;

/**
 * What the runtime keeps and does for a tenant, as the tenant is removed: suspended, its queued runs are not taken
 * and its schedules do not fire; erased, its runs in progress are cancelled first, and once none is left (each ends
 * at once where it runs on this process, else at its next step) its runs, sessions, schedules, model connections,
 * webhooks and queue intake records are deleted.
 */
@Component
class TenantWork implements TenantData {

    private static final Logger log = LoggerFactory.getLogger(TenantWork.class);

    /** The tables holding the tenant's rows; what hangs off them (steps, events, messages, fires) goes with them. */
    private static final TenantRows ROWS = new TenantRows("runtime", List.of(
            "run", "session", "schedule", "provider_connection", "webhook", "webhook_delivery", "webhook_secret",
            "intake", "budget", "trace_setting", "suspended_tenant"));

    private final JdbcClient jdbc;
    private final AgentRunner runner;
    private final TransactionTemplate transactions;
    private final Clock clock;

    TenantWork(JdbcClient jdbc, AgentRunner runner, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.runner = runner;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public String module() {
        return "runtime";
    }

    @Override
    public void suspend(TenantId tenant) {
        try {
            jdbc.sql("INSERT INTO runtime.suspended_tenant (tenant_id, since) VALUES (:tenant, :now)")
                .param("tenant", tenant.value())
                .param("now", Timestamps.of(clock.instant()))
                .update();
        }
        catch (DuplicateKeyException already) {
            // Suspended by an earlier ask.
        }
    }

    @Override
    public void resume(TenantId tenant) {
        jdbc.sql("DELETE FROM runtime.suspended_tenant WHERE tenant_id = :tenant")
            .param("tenant", tenant.value())
            .update();
    }

    @Override
    public boolean erase(TenantId tenant) {
        suspend(tenant);
        List<UUID> going = jdbc.sql("""
                SELECT id FROM runtime.run WHERE tenant_id = :tenant AND status IN ('running', 'cancelling')
                AND lease_expires_at >= :now""")
            .param("tenant", tenant.value())
            .param("now", Timestamps.of(clock.instant()))
            .query(UUID.class)
            .list();
        if (!going.isEmpty()) {
            Caller runtime = new Caller(tenant, "service:runtime", Set.of());
            for (UUID run : going) {
                try {
                    runner.cancel(runtime, run);
                }
                catch (RuntimeException ended) {
                    log.debug("Run {} of tenant {} could not be cancelled: {}", run, tenant, ended.getMessage());
                }
            }
            return false;
        }
        transactions.executeWithoutResult(status -> ROWS.erase(jdbc, tenant));
        return true;
    }
}
