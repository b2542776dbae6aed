package io.retinue.shared;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The tables of one module's schema that hold a tenant's rows in a {@code tenant_id} column; what hangs off those rows
 * (steps, versions, messages) goes with them by cascade.
 */
public record TenantRows(String schema, List<String> tables) {

    public TenantRows {
        tables = List.copyOf(tables);
    }

    /** Deletes every row of {@code tenant} from the tables, in their order; run it in a transaction. */
    public void erase(JdbcClient jdbc, TenantId tenant) {
        for (String table : tables) {
            jdbc.sql("DELETE FROM " + schema + "." + table + " WHERE tenant_id = :tenant")
                .param("tenant", tenant.value())
                .update();
        }
    }
}
