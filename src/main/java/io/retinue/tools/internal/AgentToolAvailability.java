package io.retinue.tools.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.retinue.agents.ToolAvailability;
import io.retinue.shared.Caller;

/** Tells the agents module which tools a configuration names that its runs would not be offered: the runtime's rule. */
@Component
class AgentToolAvailability implements ToolAvailability {

    private final ToolRegistry registry;
    private final ToolPermissions permissions;

    AgentToolAvailability(ToolRegistry registry, ToolPermissions permissions) {
        this.registry = registry;
        this.permissions = permissions;
    }

    @Override
    public List<Withheld> withheld(Caller caller, String agent, List<String> names) {
        // Without an agent (a configuration validated on its own) grants are not looked at: they name agents.
        List<ToolPermissions.Grant> grants = names.isEmpty() || agent == null ? List.of()
                : permissions.grants(caller.tenant());
        List<Withheld> withheld = new ArrayList<>();
        for (String name : names) {
            Optional<Tool> tool = registry.current(caller.tenant(), name);
            if (tool.isEmpty()) {
                withheld.add(new Withheld(name, "there is no tool of that name"));
            }
            else if (!tool.get().enabled()) {
                withheld.add(new Withheld(name, "the tool is disabled"));
            }
            else if (agent != null
                    && permissions.evaluate(grants, caller, agent, tool.get(), null).effect() == ToolPermissions.Effect.DENY) {
                withheld.add(new Withheld(name, "no grant lets agent '" + agent + "' use it (for this caller): runs will "
                        + "not be offered it until one does"));
            }
        }
        return withheld;
    }
}
