package io.retinue.tools.remote;

import java.util.List;

import org.springframework.stereotype.Component;

import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;

/**
 * {@link ToolCatalog} where the tools module runs in another process: its {@link ToolCatalogEndpoint}, asked as the
 * caller the tools are for.
 */
@Component
@ConditionalOnModule(value = "tools", runsHere = false)
public class HttpToolCatalog implements ToolCatalog {

    private final ModuleClient tools;

    public HttpToolCatalog(ModuleClients clients) {
        this.tools = clients.of("tools");
    }

    @Override
    public List<ToolDescriptor> availableTo(Caller caller, String agent) {
        // The agent as a URI variable: encoded as a value, whatever it holds.
        return tools.get(caller, uri -> agent == null ? uri.path("/internal/v1/tools/available").build()
                : uri.path("/internal/v1/tools/available").queryParam("agent", "{agent}").build(agent),
                ToolDescriptor[].class)
            .map(List::of)
            .orElse(List.of());
    }
}
