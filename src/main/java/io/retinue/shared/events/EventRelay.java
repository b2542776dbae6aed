package io.retinue.shared.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.retinue.shared.topology.Topology;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends each {@link ServiceEvent} this process publishes on to the other services: a listener of the event
 * publication registry, so an event is sent only once its transaction committed, and a send the broker did not
 * confirm leaves the publication incomplete, to be sent again ({@link EventResubmission}) — at least once. The
 * message id is a digest of type and content, the same however often it is sent, for receivers to de-duplicate on.
 */
@Component
@ConditionalOnProperty(name = "retinue.events.external", havingValue = "true")
class EventRelay {

    private static final long CONFIRM_TIMEOUT_MS = 5_000;

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final Topology topology;
    private final ServiceEventTypes types;
    /** {@link #sends} by event type, asked at every publication (a run's end included): the topology is fixed. */
    private final ClassValue<Boolean> sent = new ClassValue<>() {

        @Override
        protected Boolean computeValue(Class<?> type) {
            return topology.runs(ServiceEventTypes.moduleOf(type))
                    && types.listenedElsewhere(ServiceEventTypes.routingKey(type), topology::runs);
        }
    };

    EventRelay(RabbitTemplate rabbit, JsonMapper json, Topology topology, ServiceEventTypes types) {
        this.rabbit = rabbit;
        this.json = json;
        this.topology = topology;
        this.types = types;
    }

    /**
     * The condition keeps the registry from recording a publication of an event that is not sent: every run's end
     * would cost the runtime's database a row, its completion and a transaction of the listener's own, for nothing.
     */
    @ApplicationModuleListener(condition = "@eventRelay.sends(#p0)")
    void relay(ServiceEvent event) {
        if (!sends(event)) {
            return; // published before the condition was there, incomplete since
        }
        String routingKey = ServiceEventTypes.routingKey(event.getClass());
        byte[] body = json.writeValueAsBytes(event);
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(messageId(routingKey, body));
        properties.setType(routingKey);
        Message message = new Message(body, properties);
        rabbit.invoke(channel -> {
            channel.send(ServiceEvents.EXCHANGE, routingKey, message);
            channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
            return null;
        });
    }

    /**
     * Whether {@code event} goes to other services: published by a module this process runs (one received from
     * another service is published here too, for this process's listeners: not sent back) and taken by a module that
     * runs elsewhere (a run's end is taken by none).
     */
    public boolean sends(ServiceEvent event) {
        return sent.get(event.getClass());
    }

    static String messageId(String routingKey, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(routingKey.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(body));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
        }
    }
}
