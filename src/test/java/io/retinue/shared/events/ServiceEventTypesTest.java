package io.retinue.shared.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which events each module takes, read from its listeners: what each service is sent, and what is sent at all. */
class ServiceEventTypesTest {

    private final ServiceEventTypes types = new ServiceEventTypes();

    @Test
    void eachModuleIsSentOnlyTheEventsItsListenersTake() {
        assertThat(types.listenedBy("tools")).containsExactlyInAnyOrder("agents.AgentVersionPublished",
                "agents.AgentDeleted");
        assertThat(types.listenedBy("runtime")).contains("agents.AgentDeleted", "tools.ToolChanged",
                "tools.ToolGrantChanged").allMatch(key -> !key.startsWith("gateway."));
        assertThat(types.listenedBy("agents")).isEmpty();
        assertThat(types.listenedBy("gateway")).isEmpty();
    }

    @Test
    void anEventNoOtherServiceTakesIsNotSent() {
        assertThat(types.listenedElsewhere("runtime.RunEnded", "runtime"::equals)).isFalse();
        assertThat(types.listenedElsewhere("agents.AgentDeleted", "agents"::equals)).isTrue();
        assertThat(types.listenedElsewhere("agents.AgentDeleted", module -> !module.equals("gateway")))
            .as("every module taking it runs here").isFalse();
    }
}
