package io.retinue.runtime.remote;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.retinue.agents.TenantProviders;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/**
 * The runtime's {@link TenantProviders} where the agents module runs and the runtime runs in another process: its
 * {@link TenantProvidersEndpoint}.
 */
@Component
@ConditionalOnModule("agents")
@ConditionalOnModule(value = "runtime", runsHere = false)
public class HttpTenantProviders implements TenantProviders {

    /** The wire form with its type arguments kept, so the models arrive as lists of strings. */
    private static final class ByName extends LinkedHashMap<String, List<String>> {
    }

    private final ModuleClient runtime;

    public HttpTenantProviders(ModuleClients clients) {
        this.runtime = clients.of("runtime");
    }

    @Override
    public Map<String, List<String>> providersOf(TenantId tenant) {
        return runtime.get(runtime.actingFor(tenant), uri -> uri.path("/internal/v1/runtime/providers").build(),
                ByName.class)
            .orElseGet(ByName::new);
    }
}
