package io.retinue.runtime.internal;

import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentId;
import io.retinue.shared.TenantId;

/** An agent with runs in progress, or with sessions bound to it, must not be deleted under them. */
@Component
class RunsDependOnAgents implements AgentDependents {

    private final JdbcClient jdbc;

    RunsDependOnAgents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<String> dependentsOf(TenantId tenant, AgentId agent, String slug) {
        List<String> reasons = new ArrayList<>();
        long running = jdbc.sql("""
                SELECT COUNT(*) FROM runtime.run WHERE tenant_id = :tenant AND agent_id = :agent
                AND status IN ('queued', 'running', 'cancelling', 'requires_action')""")
            .param("tenant", tenant.value())
            .param("agent", agent.value())
            .query(Long.class)
            .single();
        if (running > 0) {
            reasons.add(running + " run(s) in progress or waiting for approval");
        }
        long sessions = jdbc.sql("SELECT COUNT(*) FROM runtime.session WHERE tenant_id = :tenant AND agent_slug = :slug")
            .param("tenant", tenant.value())
            .param("slug", slug)
            .query(Long.class)
            .single();
        if (sessions > 0) {
            reasons.add(sessions + " session(s) bound to it");
        }
        return reasons;
    }
}
