package io.retinue.shared.topology;

import java.util.Map;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Reads {@link Topology} before any bean is defined and registers it, with the {@link ModulePlacement} filter that
 * component scanning consults, so modules run elsewhere never become beans here (registered in
 * {@code META-INF/spring.factories}).
 */
public class TopologyInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Topology topology = Topology.of(context.getEnvironment());
        // Modules apart exchange their service events over RabbitMQ; the monolith delivers them in-process only.
        context.getEnvironment().getPropertySources().addLast(new MapPropertySource("retinueTopologyDefaults",
                Map.of("retinue.events.external", String.valueOf(!topology.isMonolith()))));
        context.getBeanFactory().registerSingleton("retinueTopology", topology);
        context.getBeanFactory().registerSingleton("retinueModulePlacement", new ModulePlacement(topology));
    }
}
