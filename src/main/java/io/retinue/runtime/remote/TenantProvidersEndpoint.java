package io.retinue.runtime.remote;

import java.util.List;
import java.util.Map;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.TenantProviders;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * The runtime's {@link TenantProviders} for an agents module in another process: the token's tenant's own model
 * provider connections, as an object of connection name to the models it offers (an empty list: any model).
 */
@RestController
@RequestMapping(path = "/internal/v1/runtime/providers", produces = "application/json")
@ConditionalOnModule("runtime")
class TenantProvidersEndpoint {

    private final TenantProviders providers;

    TenantProvidersEndpoint(TenantProviders providers) {
        this.providers = providers;
    }

    @GetMapping
    Map<String, List<String>> providers(@AuthenticationPrincipal Caller caller) {
        return providers.providersOf(caller.tenant());
    }
}
