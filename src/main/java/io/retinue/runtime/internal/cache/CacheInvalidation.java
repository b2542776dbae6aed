package io.retinue.runtime.internal.cache;

import org.springframework.context.event.EventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentRenamed;
import io.retinue.agents.AgentRestored;
import io.retinue.agents.AgentUnarchived;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.agents.AgentWithdrawn;
import io.retinue.shared.TenantId;
import io.retinue.tools.ToolChanged;
import io.retinue.tools.ToolGrantChanged;

/**
 * Ends what the runtime's caches keep when the owning module says it changed: in this process as the change commits,
 * and in a runtime process of its own as the event is taken from RabbitMQ (and its intake commits).
 * <p>
 * Plain listeners that act once the publishing transaction committed, in the thread that committed it: before the
 * change is answered to whoever made it, so their next request sees it — an {@code @ApplicationModuleListener} would
 * act later, on another thread. Acting before the commit would let a run read the old state again and keep it. There
 * is nothing to record in the event publication registry: the caches live and die with the process.
 */
class CacheInvalidation {

    private final CachedAgentCatalog agents;
    private final CachedToolCatalog tools;
    private final CachedToolAvailability availability;

    CacheInvalidation(CachedAgentCatalog agents, CachedToolCatalog tools, CachedToolAvailability availability) {
        this.agents = agents;
        this.tools = tools;
        this.availability = availability;
    }

    @EventListener
    void on(AgentVersionPublished published) {
        afterCommit(() -> agents.invalidate(published.tenant(), published.agentId(), published.slug()));
    }

    @EventListener
    void on(AgentArchived archived) {
        afterCommit(() -> agents.invalidate(archived.tenant(), archived.agentId(), archived.slug()));
    }

    @EventListener
    void on(AgentUnarchived unarchived) {
        afterCommit(() -> agents.invalidate(unarchived.tenant(), unarchived.agentId(), unarchived.slug()));
    }

    @EventListener
    void on(AgentRenamed renamed) {
        afterCommit(() -> agents.invalidate(renamed.tenant(), renamed.agentId(), renamed.slug()));
    }

    @EventListener
    void on(AgentWithdrawn withdrawn) {
        afterCommit(() -> agents.invalidate(withdrawn.tenant(), withdrawn.agentId(), withdrawn.slug()));
    }

    @EventListener
    void on(AgentRestored restored) {
        afterCommit(() -> agents.invalidate(restored.tenant(), restored.agentId(), restored.slug()));
    }

    @EventListener
    void on(AgentDeleted deleted) {
        afterCommit(() -> agents.invalidate(deleted.tenant(), deleted.agentId(), deleted.slug()));
    }

    @EventListener
    void on(ToolChanged changed) {
        afterCommit(() -> toolsOf(changed.tenant()));
    }

    @EventListener
    void on(ToolGrantChanged changed) {
        afterCommit(() -> toolsOf(changed.tenant()));
    }

    private void toolsOf(TenantId tenant) {
        tools.invalidate(tenant);
        availability.invalidate(tenant);
    }

    /** Runs the invalidation once the current transaction committed (never if it rolls back); at once without one. */
    private static void afterCommit(Runnable invalidation) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            invalidation.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                invalidation.run();
            }
        });
    }
}
