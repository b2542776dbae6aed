package io.retinue.shared.events;

import java.time.Clock;


import org.aopalliance.aop.Advice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.retry.RejectAndDontRequeueRecoverer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.shared.topology.Topology;
import tools.jackson.databind.json.JsonMapper;

/**
 * Takes the service events meant for the modules this process runs from their queues and publishes each here, in a
 * transaction that also records its message id: the registry then delivers it to this process's listeners as if it
 * had been published here (and again after a crash), and a message received twice is acknowledged and dropped.
 * Events of a module this process runs itself were delivered in-process already and are dropped too. A message that
 * cannot be read, or whose transaction fails five times, goes to the module's dead-letter queue.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "retinue.events.external", havingValue = "true")
class EventIntake {

    private static final Logger log = LoggerFactory.getLogger(EventIntake.class);

    private final ServiceEventTypes types;
    private final Topology topology;
    private final JsonMapper json;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    EventIntake(ServiceEventTypes types, Topology topology, JsonMapper json, JdbcClient jdbc,
            TransactionTemplate transactions, ApplicationEventPublisher events, Clock clock) {
        this.types = types;
        this.topology = topology;
        this.json = json;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
    }

    @Bean
    SimpleMessageListenerContainer serviceEventListener(ConnectionFactory connections) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
        container.setQueueNames(Topology.MODULES.stream()
            .filter(topology::runs)
            .map(ServiceEvents::queue)
            .toArray(String[]::new));
        container.setDefaultRequeueRejected(false);
        container.setPrefetchCount(32);
        container.setAdviceChain(new Advice[] { RetryInterceptorBuilder.stateless()
            .maxRetries(5)
            .backOffOptions(200, 2.0, 5_000)
            .recoverer(new RejectAndDontRequeueRecoverer())
            .build() });
        container.setMessageListener(this::take);
        return container;
    }

    void take(Message message) {
        String routingKey = message.getMessageProperties().getReceivedRoutingKey();
        Class<?> type = types.type(routingKey).orElseThrow(
                () -> new AmqpRejectAndDontRequeueException("not a service event: " + routingKey));
        if (topology.runs(ServiceEventTypes.moduleOf(type))) {
            return;
        }
        Object event;
        try {
            event = json.readValue(message.getBody(), type);
        }
        catch (RuntimeException unreadable) {
            throw new AmqpRejectAndDontRequeueException("unreadable " + routingKey + ": " + unreadable.getMessage());
        }
        String messageId = message.getMessageProperties().getMessageId();
        String id = messageId != null && messageId.length() <= 64 ? messageId
                : EventRelay.messageId(routingKey, message.getBody());
        transactions.executeWithoutResult(status -> {
            int taken = jdbc.sql("""
                    insert into events.consumed_event (message_id, routing_key, received_at)
                    values (:id, :key, :at) on conflict do nothing""")
                .param("id", id)
                .param("key", routingKey)
                .param("at", java.sql.Timestamp.from(clock.instant()))
                .update();
            if (taken == 1) {
                events.publishEvent(event);
            }
            else {
                log.debug("Service event {} ({}) was taken before", id, routingKey);
            }
        });
    }

}
