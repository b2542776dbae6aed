package io.retinue.tools.internal;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.TenantData;
import io.retinue.shared.TenantId;
import io.retinue.shared.TenantRows;

/**
 * What the tools module keeps of a tenant, erased as the tenant is removed: its tools, MCP servers (their clients
 * closed), credentials, grants, permission decisions, execution records and the agents' references to its tools.
 */
@Component
class TenantTools implements TenantData {

    private static final TenantRows ROWS = new TenantRows("tools", List.of(
            "tool", "mcp_server", "credential", "tool_grant", "permission_decision", "execution",
            "agent_tool_reference"));

    private final JdbcClient jdbc;
    private final McpServers mcpServers;
    private final TransactionTemplate transactions;

    TenantTools(JdbcClient jdbc, McpServers mcpServers, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.mcpServers = mcpServers;
        this.transactions = transactions;
    }

    @Override
    public String module() {
        return "tools";
    }

    @Override
    public boolean erase(TenantId tenant) {
        mcpServers.forget(tenant);
        transactions.executeWithoutResult(status -> ROWS.erase(jdbc, tenant));
        return true;
    }
}
