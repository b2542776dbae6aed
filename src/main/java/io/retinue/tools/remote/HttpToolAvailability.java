package io.retinue.tools.remote;

import java.util.List;

import org.springframework.stereotype.Component;

import io.retinue.agents.ToolAvailability;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/**
 * The tools module's {@link ToolAvailability} where the tools module runs in another process (the agents module
 * warns with it, the runtime records what a run was not offered): its {@link ToolAvailabilityEndpoint}, asked as
 * the caller whose run it is about.
 */
@Component
@ConditionalOnModule(value = "tools", runsHere = false)
public class HttpToolAvailability implements ToolAvailability {

    private final ModuleClient tools;

    public HttpToolAvailability(ModuleClients clients) {
        this.tools = clients.of("tools");
    }

    @Override
    public List<Withheld> withheld(Caller caller, String agent, List<String> names) {
        return tools.query(caller, uri -> uri.path("/internal/v1/tools/availability/withheld").build(),
                new ToolAvailabilityEndpoint.Named(agent, names), Withheld[].class)
            .map(List::of)
            .orElse(List.of());
    }
}
