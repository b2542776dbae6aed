package io.retinue.agents.remote;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * {@link AgentCatalog} for other Retinue processes: the spec of an agent of the token's tenant, or 204 when there is
 * none to run (a 404 would not tell "no such agent" from "no such endpoint" during a rolling upgrade).
 */
@RestController
@RequestMapping(path = "/internal/v1/agents", produces = "application/json")
@ConditionalOnModule("agents")
class AgentCatalogEndpoint {

    private final AgentCatalog catalog;

    AgentCatalogEndpoint(AgentCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/{agent}/spec")
    ResponseEntity<AgentSpec> spec(@AuthenticationPrincipal Caller caller, @PathVariable String agent,
            @RequestParam(required = false) Integer version) {
        return catalog.spec(caller.tenant(), agent, version)
            .map(ResponseEntity::ok)
            .orElseGet(() -> ResponseEntity.noContent().build());
    }
}
