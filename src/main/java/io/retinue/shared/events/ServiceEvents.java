package io.retinue.shared.events;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.shared.ModuleSchema;
import io.retinue.shared.topology.Topology;

/**
 * Where modules run apart ({@code retinue.events.external}, on whenever {@code retinue.role} is not {@code all}),
 * service events travel through the topic exchange {@code retinue.events}: each module has a durable queue,
 * {@code retinue.events.<module>}, bound to the other modules' events its listeners take, and a dead-letter queue
 * {@code retinue.events.<module>.dead} for what could not be taken after retries. Every process declares all of them,
 * so no event is published before the queue that should hold it exists.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "retinue.events.external", havingValue = "true")
class ServiceEvents {

    static final String EXCHANGE = "retinue.events";

    static String queue(String module) {
        return EXCHANGE + "." + module;
    }

    static String deadQueue(String module) {
        return queue(module) + ".dead";
    }

    @Bean
    ServiceEventTypes serviceEventTypes() {
        return new ServiceEventTypes();
    }

    @Bean
    Declarables serviceEventTopology(ServiceEventTypes types) {
        TopicExchange exchange = new TopicExchange(EXCHANGE, true, false);
        List<Declarable> declarables = new ArrayList<>(List.of(exchange));
        for (String module : Topology.MODULES) {
            Queue queue = QueueBuilder.durable(queue(module))
                .deadLetterExchange("")
                .deadLetterRoutingKey(deadQueue(module))
                .build();
            declarables.add(queue);
            declarables.add(QueueBuilder.durable(deadQueue(module)).build());
            for (String routingKey : types.listenedBy(module)) {
                if (!routingKey.startsWith(module + ".")) {
                    declarables.add(BindingBuilder.bind(queue).to(exchange).with(routingKey));
                }
            }
        }
        return new Declarables(declarables);
    }

    /**
     * Queues declared by earlier versions were bound to every event of every other module: those bindings are
     * removed, or every service would still be sent every event (a run's end three times over, to be taken for
     * nothing).
     */
    @Bean
    org.springframework.beans.factory.SmartInitializingSingleton wildcardBindingsRemoved(
            org.springframework.amqp.core.AmqpAdmin admin) {
        return () -> {
            for (String module : Topology.MODULES) {
                for (String other : Topology.MODULES) {
                    if (!other.equals(module)) {
                        try {
                            admin.removeBinding(new Binding(queue(module), Binding.DestinationType.QUEUE, EXCHANGE,
                                    other + ".#", null));
                        }
                        catch (org.springframework.amqp.AmqpException unreachable) {
                            // The broker is away: tried again at the next start.
                            return;
                        }
                    }
                }
            }
        };
    }

    @Bean
    Flyway eventsFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "events");
    }

    @Bean
    FlywayMigrationInitializer eventsMigrations(@Qualifier("eventsFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
