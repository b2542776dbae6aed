package io.retinue.tools.remote;

import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.ToolAvailability;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * The tools module's {@link ToolAvailability} for an agents module in another process: which of the named tools a
 * run of the agent started by the token's caller would not be offered, and why. The names come in the body (a
 * configuration may name many); the caller, whose grants decide, only ever from the token.
 */
@RestController
@RequestMapping(path = "/internal/v1/tools/availability", produces = "application/json")
@ConditionalOnModule("tools")
class ToolAvailabilityEndpoint {

    /** The body: the agent (slug; null for a configuration validated on its own) and the tool names it names. */
    record Named(String agent, List<String> names) {
    }

    private final ToolAvailability availability;

    ToolAvailabilityEndpoint(ToolAvailability availability) {
        this.availability = availability;
    }

    @PostMapping(path = "/withheld", consumes = "application/json")
    List<ToolAvailability.Withheld> withheld(@AuthenticationPrincipal Caller caller, @RequestBody Named named) {
        return availability.withheld(caller, named.agent(), named.names() == null ? List.of() : named.names());
    }
}
