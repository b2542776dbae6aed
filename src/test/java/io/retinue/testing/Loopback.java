package io.retinue.testing;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationContext;

import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.shared.topology.ModuleClients;
import io.retinue.shared.topology.Topology;
import tools.jackson.databind.json.JsonMapper;

/**
 * Module clients as a process that runs every module but one would have them, pointed at the test platform's own
 * port for that one: how an HTTP implementation of a module API is held to its contract against the real internal
 * endpoints without a second process.
 */
public final class Loopback {

    private Loopback() {
    }

    public static ModuleClients clients(String module, int port, ApplicationContext context) {
        Set<String> others = Topology.MODULES.stream().filter(name -> !name.equals(module)).collect(Collectors.toSet());
        Topology without = new Topology(others,
                List.of(new Topology.Service(module, URI.create("http://127.0.0.1:" + port))));
        return new ModuleClients(without, context.getBean(InternalTokens.class), context.getBean(OutboundCalls.class),
                context.getBean(JsonMapper.class), Duration.ofSeconds(10), 100);
    }
}
