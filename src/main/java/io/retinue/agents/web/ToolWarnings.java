package io.retinue.agents.web;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.ToolAvailability;
import io.retinue.shared.Caller;
import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;

/**
 * Warnings, not errors, for the tools a configuration names that its runs would not be offered (unknown, disabled,
 * or not granted): a configuration may be written before its tools or grants, but should not quietly lose a tool.
 * None where no module answers for tools (a module test of agents alone).
 */
@Component
class ToolWarnings {

    private final ObjectProvider<ToolAvailability> tools;

    ToolWarnings(ObjectProvider<ToolAvailability> tools) {
        this.tools = tools;
    }

    /** For a configuration as sent: its {@code tools} at {@code pointer} ("/tools", "/config/tools"). */
    List<Violation> of(Caller caller, String agent, JsonNode config, String pointer) {
        List<String> names = new ArrayList<>();
        config.path("tools").forEach(tool -> names.add(tool.path("name").asString("")));
        return of(caller, agent, names, pointer);
    }

    /** For a stored configuration. */
    List<Violation> of(Caller caller, String agent, AgentConfig config, String pointer) {
        return of(caller, agent, config.tools().stream().map(AgentConfig.ToolRef::name).toList(), pointer);
    }

    private List<Violation> of(Caller caller, String agent, List<String> names, String pointer) {
        ToolAvailability availability = tools.getIfAvailable();
        if (availability == null || names.isEmpty()) {
            return List.of();
        }
        List<Violation> warnings = new ArrayList<>();
        for (ToolAvailability.Withheld withheld : availability.withheld(caller, agent, names)) {
            warnings.add(new Violation(pointer + "/" + names.indexOf(withheld.tool()) + "/name",
                    "'" + withheld.tool() + "' will not be offered to runs: " + withheld.reason()));
        }
        return warnings;
    }
}
