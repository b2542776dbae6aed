package io.retinue.runtime.internal;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
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
import io.retinue.runtime.RunEnded;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Scopes;
import io.retinue.shared.Timestamps;
import io.retinue.shared.web.JsonPointers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed's optional asynchronous channel, on RabbitMQ when {@code retinue.amqp.enabled}: run requests are taken
 * from a durable queue (each authenticated by the API key in its {@code api-key} header, de-duplicated by its
 * {@code idempotencyKey} and by its message id: either seen before starts nothing) and accepted into the run queue;
 * what happens to runs is published to a topic exchange — {@code run.accepted}, {@code run.rejected}, and
 * {@code run.<status>} when a run ends — at least once, each message with an id to de-duplicate on. Requests that
 * cannot be read or are not authenticated go to {@code <queue>.dead} without their key and with the reason.
 * With no broker configured none of this exists.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "retinue.amqp.enabled", havingValue = "true")
class RunMessaging {

    private static final Logger log = LoggerFactory.getLogger(RunMessaging.class);

    static final String API_KEY_HEADER = "api-key";
    /** On a dead-lettered request: the problem type URI of why it was not taken, and its detail. */
    static final String ERROR_HEADER = "x-retinue-error";
    static final String ERROR_DETAIL_HEADER = "x-retinue-error-detail";
    /** Message ids are kept apart from idempotency keys, so that neither can be taken for the other. */
    private static final String MESSAGE_ID_PREFIX = "message-id:";

    private final AgentRunner runner;
    private final KeyAuthentication keys;
    private final RabbitTemplate rabbit;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final String exchange;
    private final String deadQueue;

    RunMessaging(AgentRunner runner, KeyAuthentication keys, RabbitTemplate rabbit, JdbcClient jdbc,
            TransactionTemplate transactions, JsonMapper json, Clock clock,
            @Value("${retinue.amqp.events-exchange}") String exchange,
            @Value("${retinue.amqp.requests-queue}") String requests) {
        this.runner = runner;
        this.keys = keys;
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.exchange = exchange;
        this.deadQueue = requests + ".dead";
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

        static final Set<String> FIELDS = Arrays.stream(QueuedRequest.class.getRecordComponents())
            .map(RecordComponent::getName)
            .collect(Collectors.toUnmodifiableSet());
    }

    /** Why a request cannot be taken: it goes to the dead-letter queue with the problem's type and detail. */
    private static final class Undeliverable extends RuntimeException {

        private final ProblemType type;

        Undeliverable(ProblemType type, String detail) {
            super(detail, null, false, false);
            this.type = type;
        }
    }

    @RabbitListener(queues = "${retinue.amqp.requests-queue}")
    void receive(Message message) {
        try {
            take(message);
        }
        catch (Undeliverable refused) {
            deadLetter(message, refused);
        }
    }

    private void take(Message message) {
        MessageProperties properties = message.getMessageProperties();
        String apiKey = properties.getHeader(API_KEY_HEADER);
        Caller caller = Optional.ofNullable(apiKey)
            .flatMap(keys::authenticate)
            .orElseThrow(() -> new Undeliverable(ProblemType.UNAUTHENTICATED,
                    apiKey == null ? "no api-key header" : "the api-key header holds no valid key"));
        if (!caller.scopes().contains(Scopes.RUNS_EXECUTE)) {
            throw new Undeliverable(ProblemType.FORBIDDEN, "the key lacks the scope runs:execute");
        }
        List<String> ignored = new ArrayList<>();
        QueuedRequest request = read(message.getBody(), ignored);
        if (!ignored.isEmpty()) {
            // A queue cannot answer its sender at once as HTTP does (400 unknown-field): the run starts, and the
            // fields it did not use are named in run.accepted and here.
            log.warn("Run request {} of {} has fields it does not use, ignored: {}", properties.getCorrelationId(),
                    caller.tenant(), ignored);
        }
        String messageId = properties.getMessageId();
        String idempotencyKey = request.idempotencyKey();
        List<String> keys = new ArrayList<>();
        if (idempotencyKey != null) {
            keys.add(idempotencyKey);
        }
        if (messageId != null) {
            keys.add(MESSAGE_ID_PREFIX + messageId);
        }
        String correlation = properties.getCorrelationId();
        try {
            UUID runId = transactions.execute(tx -> {
                UUID accepted = runner.start(caller, new AgentRunner.RunRequest(request.agent(), request.version(),
                        request.input(), request.variables(), request.session(), null, null, request.webhook()));
                // Each key's row commits with the run: a request seen before by either key starts nothing.
                for (String key : keys) {
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
            Map<String, Object> body = identified("run.accepted", caller, idempotencyKey, messageId);
            body.put("runId", runId);
            if (!ignored.isEmpty()) {
                body.put("ignoredFields", ignored);
            }
            publish("run.accepted", "run.accepted:" + runId, body, correlation);
        }
        catch (DuplicateKeyException again) {
            log.info("Run request {} of {} was taken before; not starting it again", keys, caller.tenant());
        }
        catch (DomainProblem refused) {
            Map<String, Object> body = identified("run.rejected", caller, idempotencyKey, messageId);
            body.put("type", refused.type().uri().toString());
            body.put("detail", refused.getMessage());
            body.put("errors", refused.violations());
            publish("run.rejected", "run.rejected:" + caller.tenant() + ":" + UUID.randomUUID(), body, correlation);
        }
    }

    /** The request in the message; fields it does not know are left out and named in {@code ignored}. */
    private QueuedRequest read(byte[] body, List<String> ignored) {
        try {
            JsonNode tree = json.readTree(body);
            if (!(tree instanceof ObjectNode fields)) {
                throw new Undeliverable(ProblemType.MALFORMED_REQUEST, "the body is not a JSON object");
            }
            fields.propertyNames().stream().filter(name -> !QueuedRequest.FIELDS.contains(name)).forEach(ignored::add);
            ignored.forEach(fields::remove);
            return json.treeToValue(fields, QueuedRequest.class);
        }
        catch (JacksonException unreadable) {
            // Jackson's own message names Java types; the pointer says where, in the sender's terms.
            String pointer = JsonPointers.of(unreadable);
            throw new Undeliverable(ProblemType.MALFORMED_REQUEST, pointer.isEmpty() ? "the body is not JSON"
                    : "the body is not a run request: " + pointer + " has the wrong type or form");
        }
    }

    private static Map<String, Object> identified(String event, Caller caller, String idempotencyKey,
            String messageId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("tenant", caller.tenant().value());
        body.put("idempotencyKey", idempotencyKey);
        body.put("messageId", messageId);
        return body;
    }

    /**
     * Sends the request to the dead-letter queue ourselves rather than letting the broker do it, so that the key in
     * its header is not kept there and the reason is: one log line, no stack trace. Should that send fail, the broker
     * dead-letters the message as it came.
     */
    private void deadLetter(Message message, Undeliverable refused) {
        MessageProperties properties = message.getMessageProperties();
        log.warn("Run request {} (message id {}) goes to the dead-letter queue {}: {} ({})",
                properties.getCorrelationId(), properties.getMessageId(), deadQueue, refused.getMessage(),
                refused.type.uri());
        MessageProperties kept = new MessageProperties();
        properties.getHeaders().forEach((name, value) -> {
            if (!API_KEY_HEADER.equalsIgnoreCase(name)) {
                kept.setHeader(name, value);
            }
        });
        kept.setHeader(ERROR_HEADER, refused.type.uri().toString());
        kept.setHeader(ERROR_DETAIL_HEADER, refused.getMessage());
        kept.setContentType(properties.getContentType());
        kept.setContentEncoding(properties.getContentEncoding());
        kept.setCorrelationId(properties.getCorrelationId());
        kept.setMessageId(properties.getMessageId());
        kept.setTimestamp(properties.getTimestamp());
        kept.setAppId(properties.getAppId());
        kept.setType(properties.getType());
        kept.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        try {
            rabbit.send("", deadQueue, new Message(message.getBody(), kept));
        }
        catch (AmqpException unsent) {
            throw new AmqpRejectAndDontRequeueException(refused.getMessage(), unsent);
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
