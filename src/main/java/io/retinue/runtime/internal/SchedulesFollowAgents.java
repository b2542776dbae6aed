package io.retinue.runtime.internal;

import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentDeleted;
import io.retinue.runtime.internal.schedules.Schedules;

/**
 * Pauses the schedules of an agent that is archived (or deleted while they were paused), with the reason on each:
 * they would otherwise record a refused run at every due time. Deleting an agent that active schedules name is
 * refused beforehand ({@link RunsDependOnAgents}).
 */
@Component
class SchedulesFollowAgents {

    private final Schedules schedules;

    SchedulesFollowAgents(Schedules schedules) {
        this.schedules = schedules;
    }

    @ApplicationModuleListener
    void on(AgentArchived archived) {
        schedules.pauseForAgent(archived.tenant(), archived.slug(), "the agent '" + archived.slug() + "' was archived");
    }

    @ApplicationModuleListener
    void on(AgentDeleted deleted) {
        schedules.pauseForAgent(deleted.tenant(), deleted.slug(), "the agent '" + deleted.slug() + "' was deleted");
    }
}
