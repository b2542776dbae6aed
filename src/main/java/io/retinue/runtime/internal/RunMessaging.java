package io.retinue.runtime.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.gateway.Scopes;
import io.retinue.runtime.RunEnded;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Timestamps;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's optional asynchronous channel, on RabbitMQ when {@code retinue.amqp.enabled}: run requests are taken
 * from a durable queue (each authenticated by the API key in its {@code api-key} header, de-duplicated by its
 * {@code idempotencyKey}, or its message id) and accepted into the run queue; what happens to runs is published to
 * a topic exchange — {@code run.accepted}, {@code run.rejected}, and {@code run.<status>} when a run ends — at least
 * once, each message with an id to de-duplicate on. Requests that cannot be read or are not authenticated go to
 * {@code <queue>.dead}. With no broker configured none of this exists.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "retinue.amqp.enabled", havingValue = "true")
class RunMessaging {

    private static final Logger log = LoggerFactory.getLogger(RunMessaging.class);

    private final AgentRunner runner;
    private final KeyAuthentication keys;
    private final RabbitTemplate rabbit;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final String exchange;

    RunMessaging(AgentRunner runner, KeyAuthentication keys, RabbitTemplate rabbit, JdbcClient jdbc,
            TransactionTemplate transactions, JsonMapper json, Clock clock,
            @Value("${retinue.amqp.events-exchange}") String exchange) {
        this.runner = runner;
        this.keys = keys;
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.exchange = exchange;
    }

    @Bean
    Queue runRequests(@Value("${retinue.amqp.requests-queue}") String name) {
        return QueueBuilder.durable(name).deadLetterExchange("").deadLetterRoutingKey(name + ".dead").build();
    }

    @Bean
    Queue deadRunRequests(@Value("${retinue.amqp.requests-queue}") String name) {
        return QueueBuilder.durable(name + ".dead").build();
    }

    @Bean
    TopicExchange runEvents() {
        return new TopicExchange(exchange, true, false);
    }

    /** A run request as a message carries it. */
    record QueuedRequest(String agent, Integer version, String input, Map<String, String> variables, UUID session,
            String webhook, String idempotencyKey) {
    }

    @RabbitListener(queues = "${retinue.amqp.requests-queue}")
    void receive(Message message) {
        String apiKey = message.getMessageProperties().getHeader("api-key");
        Caller caller = Optional.ofNullable(apiKey)
            .flatMap(keys::authenticate)
            .filter(authenticated -> authenticated.scopes().contains(Scopes.RUNS_EXECUTE))
            .orElseThrow(() -> new AmqpRejectAndDontRequeueException("no valid api-key header with runs:execute"));
        QueuedRequest request;
        try {
            request = json.readValue(message.getBody(), QueuedRequest.class);
        }
        catch (RuntimeException unreadable) {
            throw new AmqpRejectAndDontRequeueException("the request is not readable: " + unreadable.getMessage());
        }
        String key = request.idempotencyKey() != null ? request.idempotencyKey()
                : message.getMessageProperties().getMessageId();
        String correlation = message.getMessageProperties().getCorrelationId();
        try {
            UUID runId = transactions.execute(tx -> {
                UUID accepted = runner.start(caller, new AgentRunner.RunRequest(request.agent(), request.version(),
                        request.input(), request.variables(), request.session(), null, null, request.webhook()));
                if (key != null) {
                    // The key's row commits with the run: a redelivered request finds it and starts nothing.
                    jdbc.sql("INSERT INTO runtime.intake (tenant_id, idempotency_key, run_id, received_at) "
                            + "VALUES (:tenant, :key, :run, :now)")
                        .param("tenant", caller.tenant().value())
                        .param("key", key)
                        .param("run", accepted)
                        .param("now", Timestamps.of(clock.instant()))
                        .update();
                }
                return accepted;
            });
            publish("run.accepted", "run.accepted:" + runId, Map.of("event", "run.accepted", "runId", runId,
                    "tenant", caller.tenant().value(), "idempotencyKey", String.valueOf(key)), correlation);
        }
        catch (DuplicateKeyException again) {
            log.info("Run request {} of {} was taken before; not starting it again", key, caller.tenant());
        }
        catch (DomainProblem refused) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("event", "run.rejected");
            body.put("tenant", caller.tenant().value());
            body.put("idempotencyKey", String.valueOf(key));
            body.put("type", refused.type().uri().toString());
            body.put("detail", refused.getMessage());
            body.put("errors", refused.violations());
            publish("run.rejected", "run.rejected:" + caller.tenant() + ":" + key + ":" + UUID.randomUUID(), body,
                    correlation);
        }
    }

    /** Publishes how a run ended (from the module's outbox: at least once, with an id to de-duplicate on). */
    @ApplicationModuleListener
    void on(RunEnded ended) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "run." + ended.status());
        body.put("runId", ended.runId());
        body.put("tenant", ended.tenant().value());
        body.put("agent", ended.agent());
        body.put("version", ended.version());
        body.put("status", ended.status());
        body.put("errorCode", ended.errorCode());
        body.put("occurredAt", ended.occurredAt());
        publish("run." + ended.status(), "run." + ended.status() + ":" + ended.runId() + ":" + ended.occurredAt(), body,
                null);
    }

    private void publish(String routingKey, String messageId, Map<String, ?> body, String correlation) {
        Message message = MessageBuilder.withBody(json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8))
            .setContentType("application/json")
            .setMessageId(messageId)
            .setCorrelationId(correlation)
            .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
            .build();
        rabbit.send(exchange, routingKey, message);
    }
}
