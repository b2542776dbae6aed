package io.retinue.analytics.internal;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.TenantData;
import io.retinue.shared.TenantId;
import io.retinue.shared.TenantRows;

/** Erases a removed tenant's usage aggregates (the runtime erases its runs, and reports no more of them). */
@Component
class AnalyticsTenantData implements TenantData {

    private static final TenantRows ROWS = new TenantRows("analytics", List.of("stretch", "usage_day", "latency_day",
            "tool_day", "session_day"));

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    AnalyticsTenantData(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    @Override
    public String module() {
        return "analytics";
    }

    @Override
    public boolean erase(TenantId tenant) {
        transactions.executeWithoutResult(status -> ROWS.erase(jdbc, tenant));
        return true;
    }
}
