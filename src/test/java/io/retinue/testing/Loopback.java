package io.retinue.testing;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.cloud.client.loadbalancer.LoadBalancerClient;
import org.springframework.context.ApplicationContext;

import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.shared.topology.ModuleClients;
import io.retinue.shared.topology.ServiceHttp;
import io.retinue.shared.topology.ServiceInstances;
import io.retinue.shared.topology.Topology;
import tools.jackson.databind.json.JsonMapper;

/**
 * The module clients of a process that runs every module but one, which it finds at the test platform's own port:
 * an HTTP implementation of that module's API built on them crosses the wire to the platform's internal endpoints,
 * so a contract test holds it to what the in-process implementation does.
 */
public final class Loopback {

    private Loopback() {
    }

    public static ModuleClients clients(ApplicationContext platform, int port, String remoteModule) {
        Set<String> local = new HashSet<>(Topology.MODULES);
        local.remove(remoteModule);
        Topology topology = new Topology(local,
                List.of(new Topology.Service(remoteModule, List.of(URI.create("http://127.0.0.1:" + port)))));
        ServiceInstances instances = new ServiceInstances(topology, platform.getBeanProvider(LoadBalancerClient.class));
        return new ModuleClients(topology, instances, platform.getBean(InternalTokens.class),
                platform.getBean(OutboundCalls.class), platform.getBean(ServiceHttp.class), platform.getBean(JsonMapper.class), Duration.ofSeconds(10), 100);
    }
}
