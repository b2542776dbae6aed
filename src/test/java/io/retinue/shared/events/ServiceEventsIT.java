package io.retinue.shared.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.retinue.RetinueApplication;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentId;
import io.retinue.shared.Caller;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestDatabase;
import io.retinue.testing.TestRabbit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Service events between processes, with a tools-only instance on the machine's RabbitMQ: what the tools module
 * publishes is sent on to the other modules' queues once committed; an agents-module event arriving on the tools
 * queue is delivered to the tools module's listeners once, however often it arrives; and one that cannot be read goes
 * to the dead-letter queue.
 */
class ServiceEventsIT extends PlatformIT {

    private static ConfigurableApplicationContext tools;
    private static CachingConnectionFactory broker;

    @Autowired
    InternalTokens tokens;

    @Autowired
    JsonMapper json;

    private ConfigurableApplicationContext tools() {
        if (tools == null) {
            TestRabbit.require();
            String platform = "http://127.0.0.1:" + port;
            tools = new SpringApplicationBuilder(RetinueApplication.class).run("--retinue.role=tools",
                    "--server.port=0", "--spring.datasource.url=" + TestDatabase.url(),
                    "--spring.datasource.username=" + TestDatabase.user(),
                    "--spring.datasource.password=" + TestDatabase.password(),
                    "--retinue.security.master-key=" + MASTER_KEY,
                    "--spring.rabbitmq.addresses=amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT,
                    "--spring.modulith.events.republish-outstanding-events-on-restart=false",
                    "--retinue.services.agents.url=" + platform, "--retinue.services.gateway.url=" + platform,
                    "--retinue.services.runtime.url=" + platform);
            broker = new CachingConnectionFactory("127.0.0.1", TestRabbit.PORT);
        }
        return tools;
    }

    @AfterAll
    static void stop() {
        if (tools != null) {
            tools.close();
            tools = null;
        }
        if (broker != null) {
            broker.destroy();
            broker = null;
        }
    }

    /** The tools instance's public API, as the gateway calls it: with an internal token for the caller. */
    private Api toolsApi(String tenant) {
        String token = tokens.mint(new Caller(new TenantId(tenant), "user:test",
                Set.of(Scopes.TOOLS_ADMIN, Scopes.TOOLS_READ)), "tools");
        return new Api(Integer.parseInt(tools().getEnvironment().getProperty("local.server.port")), token);
    }

    @Test
    void whatTheToolsModulePublishesReachesTheQueuesOfTheModulesTakingIt() {
        String tenant = newTenant(api, "evt").id();
        tools();
        org.springframework.amqp.rabbit.core.RabbitAdmin admin = new org.springframework.amqp.rabbit.core.RabbitAdmin(broker);
        admin.purgeQueue(ServiceEvents.queue("agents"), false);
        admin.purgeQueue(ServiceEvents.queue("gateway"), false);
        String name = "evt.t" + UUID.randomUUID().toString().substring(0, 6);
        toolsApi(tenant).post("/api/v1/tools", Map.of("name", name, "description", "d", "kind", "http",
                "inputSchema", Map.of("type", "object"), "http",
                Map.of("method", "POST", "url", "https://example.com/x"))).expect(201);

        RabbitTemplate rabbit = new RabbitTemplate(broker);
        JsonNode received = await().atMost(Duration.ofSeconds(15)).until(() -> {
            Message message = rabbit.receive(ServiceEvents.queue("runtime"), 500);
            while (message != null) {
                // The queue is shared with the suite's other tests, some of which send it what no module could read.
                JsonNode body = readable(message.getBody());
                if (name.equals(body.path("name").asString())) {
                    assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("tools.ToolChanged");
                    assertThat(message.getMessageProperties().getMessageId())
                        .isEqualTo(EventRelay.messageId("tools.ToolChanged", message.getBody()));
                    return body;
                }
                message = rabbit.receive(ServiceEvents.queue("runtime"), 500);
            }
            return null;
        }, body -> body != null);
        assertThat(received.get("change").asString()).isEqualTo("REGISTERED");
        assertThat(received.get("tenant").asString()).isEqualTo(tenant);
        for (String module : List.of("agents", "gateway")) {
            assertThat(admin.getQueueInfo(ServiceEvents.queue(module)).getMessageCount())
                .as("%s takes no tools event: none is sent to it", module).isZero();
        }
    }

    @Test
    void anAgentsEventIsTakenOnceHoweverOftenItArrives() {
        TestTenant made = newTenant(api, "evd");
        String tool = "evd.t" + UUID.randomUUID().toString().substring(0, 6);
        Api tenantTools = toolsApi(made.id());
        tenantTools.post("/api/v1/tools", Map.of("name", tool, "description", "d", "kind", "http", "inputSchema",
                Map.of("type", "object"), "http", Map.of("method", "POST", "url", "https://example.com/x")))
            .expect(201);
        // An agent naming the tool, published in the platform under test (whose tools module notes the reference).
        ObjectNode agent = Agents.create(uniqueSlug("evd"), Map.of());
        ((ObjectNode) agent.get("config")).set("tools",
                Api.JSON.createArrayNode().add(Api.JSON.createObjectNode().put("name", tool)));
        String agentId = made.owner().post("/api/v1/agents", agent).expect(201).json().get("id").asString();
        made.owner().post("/api/v1/agents/" + agent.get("slug").asString() + "/versions/1/publish", "").expect(200);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> tenantTools.delete("/api/v1/tools/" + tool).status() == 409);

        // The agents service deleted the agent: its event arrives on the tools queue, twice.
        byte[] body = json.writeValueAsBytes(new AgentDeleted(new AgentId(UUID.fromString(agentId)),
                new TenantId(made.id()), agent.get("slug").asString(), Instant.now()));
        String messageId = EventRelay.messageId("agents.AgentDeleted", body);
        RabbitTemplate rabbit = new RabbitTemplate(broker);
        for (int i = 0; i < 2; i++) {
            MessageProperties properties = new MessageProperties();
            properties.setMessageId(messageId);
            properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
            rabbit.send(ServiceEvents.EXCHANGE, "agents.AgentDeleted", new Message(body, properties));
        }
        await().atMost(Duration.ofSeconds(15))
            .until(() -> tenantTools.delete("/api/v1/tools/" + tool).status() == 204);
        List<String> taken = jdbc().sql("SELECT routing_key FROM events.consumed_event WHERE message_id = :id")
            .param("id", messageId)
            .query(String.class)
            .list();
        assertThat(taken).containsExactly("agents.AgentDeleted");
    }

    @Test
    void anEventThatCannotBeReadIsDeadLettered() {
        tools();
        String messageId = "unreadable-" + UUID.randomUUID();
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(messageId);
        RabbitTemplate rabbit = new RabbitTemplate(broker);
        rabbit.send(ServiceEvents.EXCHANGE, "agents.AgentDeleted",
                new Message("{\"agentId\": 42".getBytes(), properties));
        Message dead = await().atMost(Duration.ofSeconds(15)).until(() -> {
            Message message = rabbit.receive(ServiceEvents.deadQueue("tools"), 500);
            while (message != null && !messageId.equals(message.getMessageProperties().getMessageId())) {
                message = rabbit.receive(ServiceEvents.deadQueue("tools"), 500);
            }
            return message;
        }, message -> message != null);
        assertThat(new String(dead.getBody())).isEqualTo("{\"agentId\": 42");
    }

    private org.springframework.jdbc.core.simple.JdbcClient jdbc() {
        return tools().getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
    }

    private JsonNode readable(byte[] body) {
        try {
            return json.readTree(body);
        }
        catch (tools.jackson.core.JacksonException notJson) {
            return json.createObjectNode();
        }
    }
}
