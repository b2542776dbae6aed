package io.retinue.tools.internal;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.shared.TenantId;

/**
 * The tools each agent's live version names, kept from the agents module's events (published, rolled back,
 * deleted) rather than by reading its tables, so the tools module can refuse to delete a tool still in use.
 */
@Component
class AgentToolReferences {

    private final JdbcClient jdbc;
    private final AgentCatalog agents;

    AgentToolReferences(JdbcClient jdbc, AgentCatalog agents) {
        this.jdbc = jdbc;
        this.agents = agents;
    }

    /**
     * Notes the tools the agent's live version names. Publications of one agent in quick succession are handled
     * concurrently, and in any order: each takes the version live now (not the one its event names, which may be live
     * no longer), and a reference another handler has just written is no conflict.
     */
    @ApplicationModuleListener
    void on(AgentVersionPublished event) {
        agents.spec(event.tenant(), event.agentId().toString(), null).ifPresent(spec -> {
            forget(event.agentId().value());
            for (AgentConfig.ToolRef tool : spec.config().tools()) {
                jdbc.sql("""
                        INSERT INTO tools.agent_tool_reference (tenant_id, agent_id, agent_slug, tool_name)
                        VALUES (:tenant, :agent, :slug, :tool) ON CONFLICT DO NOTHING""")
                    .param("tenant", event.tenant().value())
                    .param("agent", event.agentId().value())
                    .param("slug", spec.slug())
                    .param("tool", tool.name())
                    .update();
            }
        });
    }

    @ApplicationModuleListener
    void on(AgentDeleted event) {
        forget(event.agentId().value());
    }

    /** Slugs of the agents whose live version names the tool. */
    List<String> agentsUsing(TenantId tenant, String tool) {
        return jdbc.sql("""
                SELECT agent_slug FROM tools.agent_tool_reference WHERE tenant_id = :tenant AND tool_name = :tool
                ORDER BY agent_slug""")
            .param("tenant", tenant.value())
            .param("tool", tool)
            .query(String.class)
            .list();
    }

    private void forget(java.util.UUID agent) {
        jdbc.sql("DELETE FROM tools.agent_tool_reference WHERE agent_id = :agent").param("agent", agent).update();
    }
}
