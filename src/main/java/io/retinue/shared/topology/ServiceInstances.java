package io.retinue.shared.topology;

import java.net.URI;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.context.annotation.Configuration;

/**
 * Where the next call to a module run elsewhere goes: its one URL or, where {@code retinue.services.<module>.url}
 * lists several processes, one of those that answer their readiness check, in turns (Spring Cloud LoadBalancer;
 * a process that stops answering is left out within {@code spring.cloud.loadbalancer.health-check.interval}, and
 * taken back once it answers again).
 */
@Configuration(proxyBeanMethods = false)
@LoadBalancerClients(defaultConfiguration = ServiceProcesses.class)
public class ServiceInstances {

    private final Topology topology;
    private final ObjectProvider<LoadBalancerClient> balancer;

    public ServiceInstances(Topology topology, ObjectProvider<LoadBalancerClient> balancer) {
        this.topology = topology;
        this.balancer = balancer;
    }

    /** Whether several processes run {@code module}, so that each call picks one. */
    public boolean balanced(String module) {
        return topology.urlsOf(module).size() > 1;
    }

    /** The base URL of the process of {@code module} the next call goes to; empty when none answers. */
    public java.util.Optional<URI> next(String module) {
        List<URI> urls = topology.urlsOf(module);
        if (urls.size() == 1) {
            return java.util.Optional.of(urls.getFirst());
        }
        ServiceInstance chosen = balancer.getObject().choose(module);
        return java.util.Optional.ofNullable(chosen).map(ServiceInstance::getUri);
    }
}
