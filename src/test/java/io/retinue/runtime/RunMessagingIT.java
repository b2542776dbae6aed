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
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestRabbit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Run requests taken from a RabbitMQ queue and run events published to an exchange, on the machine's RabbitMQ. */
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
        Message message = MessageBuilder.withBody(Api.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8))
            .setContentType("application/json")
            .setHeader("api-key", apiKey)
            .setCorrelationId(correlation)
            .build();
        rabbit.send("", REQUESTS, message);
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
