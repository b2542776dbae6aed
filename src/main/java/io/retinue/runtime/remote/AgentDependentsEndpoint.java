package io.retinue.runtime.remote;

import java.util.List;
import java.util.UUID;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentId;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * The runtime's {@link AgentDependents} for an agents module in another process: what of the token's tenant still
 * needs an agent (runs in progress, sessions, active schedules), as reasons; an empty list when nothing does.
 */
@RestController
@RequestMapping(path = "/internal/v1/runtime/agents", produces = "application/json")
@ConditionalOnModule("runtime")
class AgentDependentsEndpoint {

    private final AgentDependents dependents;

    AgentDependentsEndpoint(AgentDependents dependents) {
        this.dependents = dependents;
    }

    @GetMapping("/{agent}/dependents")
    List<String> dependents(@AuthenticationPrincipal Caller caller, @PathVariable UUID agent,
            @RequestParam String slug) {
        return dependents.dependentsOf(caller.tenant(), new AgentId(agent), slug);
    }
}
