package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

import io.retinue.shared.Caller;
import io.retinue.shared.Role;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestRabbit;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agents service and a tools service reacting to each other through RabbitMQ: publishing an agent that names a
 * tool in the agents instance makes the tools instance note the reference (asking the agents instance for the live
 * spec), so the tool cannot be deleted while the agent names it; deleting the agent there lets it go.
 */
class SplitEventsIT extends PlatformIT {

    private static ConfigurableApplicationContext agents;
    private static ConfigurableApplicationContext tools;

    @Autowired
    InternalTokens tokens;

    @AfterAll
    static void stopServices() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { agents, tools }) {
            if (context != null) {
                context.close();
            }
        }
        agents = null;
        tools = null;
    }

    @Test
    void toolsFollowWhatTheAgentsServicePublishesAndDeletes() {
        TestRabbit.require();
        String platform = "http://127.0.0.1:" + port;
        String rabbit = "--spring.rabbitmq.addresses=amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT;
        agents = start("agents", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.runtime.url=" + platform, "--retinue.services.tools.url=" + platform);
        tools = start("tools", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.runtime.url=" + platform,
                "--retinue.services.agents.url=http://127.0.0.1:" + portOf(agents));

        TestTenant tenant = newTenant(api, "se");
        Caller owner = new Caller(new TenantId(tenant.id()), "key:splitowner2", Role.OWNER.scopes());
        Api toolsService = service(tools, "tools", owner);
        Api agentsService = service(agents, "agents", owner);
        String tool = "se.lookup";
        toolsService.post("/api/v1/tools", Map.of("name", tool, "description", "d", "kind", "http", "inputSchema",
                Map.of("type", "object"), "http", Map.of("method", "POST", "url", "https://example.com/x")))
            .expect(201);

        String slug = uniqueSlug("se");
        ObjectNode agent = Agents.create(slug, Map.of());
        ((ObjectNode) agent.get("config")).set("tools", Api.JSON.valueToTree(List.of(Map.of("name", tool))));
        agentsService.post("/api/v1/agents", agent).expect(201);
        agentsService.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);

        Api.Reply inUse = await().atMost(Duration.ofSeconds(20))
            .until(() -> toolsService.delete("/api/v1/tools/" + tool), reply -> reply.status() == 409);
        assertThat(inUse.json().get("type").asString()).endsWith("/tools/tool-in-use");
        assertThat(inUse.toString()).contains(slug);

        agentsService.delete("/api/v1/agents/" + slug).expect(204);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> toolsService.delete("/api/v1/tools/" + tool).status(), status -> status == 204);
    }

    /** A service's public API as the gateway calls it: with an internal token for the caller. */
    private Api service(ConfigurableApplicationContext instance, String module, Caller caller) {
        return new Api(portOf(instance), tokens.mint(caller, module));
    }
}
