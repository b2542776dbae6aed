package io.retinue.agents.internal;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.TenantData;
import io.retinue.shared.TenantId;
import io.retinue.shared.TenantRows;

/**
 * The agents a tenant keeps, erased as the tenant is removed: every agent with its versions, labels, idempotency keys
 * and deletion records. Nothing is published for them: the other modules erase what they keep of the tenant too.
 */
@Component
class TenantAgents implements TenantData {

    private static final TenantRows ROWS = new TenantRows("agents", List.of("agent", "idempotency_key"));

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    TenantAgents(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    @Override
    public String module() {
        return "agents";
    }

    @Override
    public boolean erase(TenantId tenant) {
        transactions.executeWithoutResult(status -> ROWS.erase(jdbc, tenant));
        return true;
    }
}
