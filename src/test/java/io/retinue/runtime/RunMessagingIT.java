package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestRabbit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Run requests taken from a RabbitMQ queue and run events published to an exchange, on the machine's RabbitMQ. */
@ExtendWith(OutputCaptureExtension.class)
class RunMessagingIT extends PlatformIT {

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String REQUESTS = "retinue.test.run-requests." + SUFFIX;
    private static final String EVENTS = "retinue.test.run-events." + SUFFIX;
    private static CachingConnectionFactory connections;
    private static RabbitTemplate rabbit;
    private static String events;

    @DynamicPropertySource
    static void amqp(DynamicPropertyRegistry registry) {
        registry.add("retinue.amqp.enabled", () -> "true");
        registry.add("retinue.amqp.requests-queue", () -> REQUESTS);
        registry.add("retinue.amqp.events-exchange", () -> EVENTS);
        registry.add("spring.rabbitmq.addresses", () -> "amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT);
    }

    @BeforeAll
    static void broker() {
        TestRabbit.require();
        connections = new CachingConnectionFactory("127.0.0.1", TestRabbit.PORT);
        rabbit = new RabbitTemplate(connections);
        RabbitAdmin admin = new RabbitAdmin(connections);
        TopicExchange exchange = new TopicExchange(EVENTS, true, false);
        admin.declareExchange(exchange);
        org.springframework.amqp.core.Queue listening = new org.springframework.amqp.core.Queue(
                "retinue.test.events." + SUFFIX, false, false, false);
        events = admin.declareQueue(listening);
        admin.declareBinding(BindingBuilder.bind(listening).to(exchange).with("run.#"));
    }

    @AfterAll
    static void close() {
        if (connections != null) {
            RabbitAdmin admin = new RabbitAdmin(connections);
            admin.deleteQueue(REQUESTS);
            admin.deleteQueue(REQUESTS + ".dead");
            admin.deleteQueue(events);
            admin.deleteExchange(EVENTS);
            connections.destroy();
        }
    }

    private static void request(String apiKey, Map<String, Object> body, String correlation) {
        request(apiKey, body, correlation, null);
    }

    private static void request(String apiKey, Map<String, Object> body, String correlation, String messageId) {
        Message message = MessageBuilder.withBody(Api.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8))
            .setContentType("application/json")
            .setHeader("api-key", apiKey)
            .setCorrelationId(correlation)
            .setMessageId(messageId)
            .build();
        rabbit.send("", REQUESTS, message);
    }

    /** The next event of the type answering the request sent with this correlation id; others are passed over. */
    private static JsonNode nextEvent(String type, String correlation) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            Message received = rabbit.receive(events, 500);
            if (received == null || !correlation.equals(received.getMessageProperties().getCorrelationId())) {
                return null;
            }
            JsonNode event = Api.JSON.readTree(received.getBody());
            return event.get("event").asString().equals(type) ? event : null;
        }, java.util.Objects::nonNull);
    }

    private static Message nextDead() {
        return await().atMost(Duration.ofSeconds(20))
            .until(() -> rabbit.receive(REQUESTS + ".dead", 500), java.util.Objects::nonNull);
    }

    private String publishedAgent(Api owner) {
        ObjectNode body = Agents.create(uniqueSlug("queued"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        return slug;
    }

    @Test
    void deadLettersKeepNoCredentialAndSayWhyInOneLogLine(CapturedOutput output) {
        Api owner = newTenant(api, "mqd").owner();
        String slug = publishedAgent(owner);
        String forged = "rtn_NotAKey0001_abcdefghijklmnopqrstuvwxyz012345";

        request(forged, Map.of("agent", slug, "input", "hi"), "dead-1");
        Message dead = nextDead();
        assertThat(dead.getMessageProperties().getCorrelationId()).isEqualTo("dead-1");
        assertThat(dead.getMessageProperties().getHeaders()).as("the credential is not kept").doesNotContainKey("api-key");
        assertThat((String) dead.getMessageProperties().getHeader("x-retinue-error"))
            .isEqualTo("https://retinue.dev/problems/unauthenticated");
        assertThat((String) dead.getMessageProperties().getHeader("x-retinue-error-detail")).isNotBlank();
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).contains("\"input\":\"hi\"");

        request(owner.apiKey(), Map.of("agent", slug, "input", 12, "variables", "not a map"), "dead-2");
        Message unreadable = nextDead();
        assertThat(unreadable.getMessageProperties().getCorrelationId()).isEqualTo("dead-2");
        assertThat(unreadable.getMessageProperties().getHeaders()).doesNotContainKey("api-key");
        assertThat((String) unreadable.getMessageProperties().getHeader("x-retinue-error"))
            .isEqualTo("https://retinue.dev/problems/malformed-request");
        assertThat((String) unreadable.getMessageProperties().getHeader("x-retinue-error-detail"))
            .contains("/variables").doesNotContain("java.");

        await().atMost(Duration.ofSeconds(5)).until(() -> output.getAll().contains("dead-2"));
        assertThat(output.getAll().lines().filter(line -> line.contains("dead-letter")))
            .as("one line per dead-lettered message").hasSize(2);
        assertThat(output.getAll()).as("no stack trace").doesNotContain("\tat org.springframework.amqp")
            .doesNotContain(forged.substring(16));
    }

    @Test
    void aMessageIdOrIdempotencyKeySeenBeforeStartsNothingAndUnknownFieldsAreIgnored() {
        Api owner = newTenant(api, "mqi").owner();
        String slug = publishedAgent(owner);
        String messageId = "msg-" + UUID.randomUUID();

        request(owner.apiKey(), Map.of("agent", slug, "input", "once", "variables", Map.of("company", "ACME"),
                "idempotencyKey", "a-" + SUFFIX), "idem-1", messageId);
        JsonNode accepted = nextEvent("run.accepted", "idem-1");
        assertThat(accepted.get("idempotencyKey").asString()).isEqualTo("a-" + SUFFIX);
        assertThat(accepted.get("messageId").asString()).isEqualTo(messageId);

        request(owner.apiKey(), Map.of("agent", slug, "input", "once", "variables", Map.of("company", "ACME"),
                "idempotencyKey", "b-" + SUFFIX), "idem-2", messageId);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
            .until(() -> owner.get("/api/v1/runs?agent=" + slug).json().get("items").size() == 1);

        request(owner.apiKey(), Map.of("agent", slug, "input", "keyless", "variables", Map.of("company", "ACME"),
                "priority", "high"), "idem-3");
        JsonNode keyless = nextEvent("run.accepted", "idem-3");
        assertThat(keyless.get("idempotencyKey").isNull()).as(keyless.toString()).isTrue();
        assertThat(keyless.get("ignoredFields").valueStream().map(JsonNode::asString)).containsExactly("priority");
        assertThat(owner.get("/api/v1/runs?agent=" + slug).json().get("items")).hasSize(2);
    }

    private static JsonNode nextEvent(String type) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            Message received = rabbit.receive(events, 500);
            if (received == null) {
                return null;
            }
            JsonNode event = Api.JSON.readTree(received.getBody());
            return event.get("event").asString().equals(type) ? event : null;
        }, java.util.Objects::nonNull);
    }

    @Test
    void requestsFromTheQueueRunOnceAndTheirEventsArePublished() {
        Api owner = newTenant(api, "mq").owner();
        ObjectNode body = Agents.create(uniqueSlug("queued"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        Map<String, Object> run = Map.of("agent", slug, "input", "from the queue", "variables",
                Map.of("company", "ACME"), "idempotencyKey", "order-" + SUFFIX);

        request(owner.apiKey(), run, "corr-1");
        JsonNode accepted = nextEvent("run.accepted");
        String runId = accepted.get("runId").asString();
        JsonNode completed = nextEvent("run.completed");
        assertThat(completed.get("runId").asString()).isEqualTo(runId);
        assertThat(completed.get("agent").asString()).isEqualTo(slug);
        assertThat(owner.get("/api/v1/runs/" + runId).json().at("/run/output").asString()).contains("from the queue");

        request(owner.apiKey(), run, "corr-2");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
            .until(() -> owner.get("/api/v1/runs?agent=" + slug).json().get("items").size() == 1);

        request(owner.apiKey(), Map.of("agent", "nobody", "input", "hi"), "corr-3");
        JsonNode rejected = nextEvent("run.rejected");
        assertThat(rejected.get("type").asString()).endsWith("runtime/agent-not-runnable");

        request("rtn_NotAKey0000_abcdefghijklmnopqrstuvwxyz012345", run, "corr-4");
        Message dead = await().atMost(Duration.ofSeconds(20))
            .until(() -> rabbit.receive(REQUESTS + ".dead", 500), java.util.Objects::nonNull);
        assertThat(dead.getMessageProperties().getCorrelationId()).isEqualTo("corr-4");
    }
}
