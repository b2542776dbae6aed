package io.retinue.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentId;
import io.retinue.runtime.internal.schedules.Schedules;
import io.retinue.shared.TenantId;

/** An agent with runs in progress, sessions bound to it or active schedules must not be deleted under them. */
@Component
class RunsDependOnAgents implements AgentDependents {

    private final JdbcClient jdbc;
    private final Schedules schedules;

    RunsDependOnAgents(JdbcClient jdbc, Schedules schedules) {
        this.jdbc = jdbc;
        this.schedules = schedules;
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
        List<UUID> scheduled = schedules.activeFor(tenant, slug);
        if (!scheduled.isEmpty()) {
            // Named, so that the client can pause or delete them (paused schedules do not hold the agent).
            reasons.add(scheduled.size() + " active schedule(s): " + String.join(", ",
                    scheduled.stream().limit(20).map(UUID::toString).toList()) + (scheduled.size() > 20 ? ", …" : ""));
        }
        return reasons;
    }
}
