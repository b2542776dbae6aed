package io.retinue.shared.topology;

import java.net.http.HttpClient;
import java.time.Duration;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.cloud.loadbalancer.support.ServiceInstanceListSuppliers;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The processes of one module run elsewhere, for {@link ServiceInstances}: those {@code retinue.services.<module>.url}
 * lists, health-checked. Spring Cloud LoadBalancer makes a context of its own per module with this configuration; it
 * is no configuration of the application's (neither annotated nor nested in one, so not picked up as one).
 */
class ServiceProcesses {

    @Bean
    ServiceInstanceListSupplier processes(ConfigurableApplicationContext context) {
        String module = context.getEnvironment().getProperty(LoadBalancerClientFactory.PROPERTY_NAME);
        ServiceInstance[] listed = context.getBean(Topology.class).urlsOf(module).stream()
            .map(url -> new DefaultServiceInstance(module + "@" + url.getAuthority(), module, url.getHost(),
                    url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80,
                    "https".equals(url.getScheme())))
            .toArray(ServiceInstance[]::new);
        // Its own client: a process that accepts connections and never answers must not hold the check up.
        RestClient checks = RestClient.builder()
            .requestFactory(checksFactory())
            .build();
        return ServiceInstanceListSupplier.builder()
            .withBase(ServiceInstanceListSuppliers.from(module, listed))
            .withBlockingHealthChecks(checks)
            .build(context);
    }

    private static JdkClientHttpRequestFactory checksFactory() {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .build());
        factory.setReadTimeout(Duration.ofSeconds(2));
        return factory;
    }
}
