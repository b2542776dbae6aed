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
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.retinue.shared.Caller;
import io.retinue.shared.Role;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestRabbit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A runtime service and a tools service on RabbitMQ: what the tools service grants, revokes, disables or enables
 * reaches the runtime's cache of the tools a run is offered as an event, long before its time to live (ten minutes
 * here) would end what it keeps. The agents module runs in the platform under test, which takes no events from
 * RabbitMQ: the runtime is the only service taking the tools service's events into this database.
 */
class RuntimeToolsServiceIT extends PlatformIT {

    private static ConfigurableApplicationContext tools;
    private static ConfigurableApplicationContext runtime;

    @Autowired
    InternalTokens tokens;

    @AfterAll
    static void stopServices() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { runtime, tools }) {
            if (context != null) {
                context.close();
            }
        }
        runtime = null;
        tools = null;
    }

    @Test
    void theRuntimeFollowsWhatTheToolsServiceGrantsRevokesDisablesAndEnables() {
        TestRabbit.require();
        String platform = "http://127.0.0.1:" + port;
        String rabbit = "--spring.rabbitmq.addresses=amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT;
        tools = start("tools", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.runtime.url=" + platform, "--retinue.services.agents.url=" + platform);
        tools.getBean(AmqpAdmin.class).purgeQueue("retinue.events.runtime", false);
        runtime = start("runtime", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.agents.url=" + platform,
                "--retinue.services.tools.url=http://127.0.0.1:" + portOf(tools),
                "--retinue.runtime.queue.workers=0", "--retinue.runtime.cache.ttl=10m",
                "--retinue.runtime.cache.pinned-ttl=10m", "--retinue.runtime.cache.negative-ttl=10m");

        TestTenant tenant = newTenant(api, "rt");
        Caller owner = new Caller(new TenantId(tenant.id()), "key:splitowner4", Role.OWNER.scopes());
        Api toolsService = new Api(portOf(tools), tokens.mint(owner, "tools"));
        Api runtimeService = new Api(portOf(runtime), tokens.mint(owner, "runtime"));
        String tool = "rt.lookup";
        toolsService.post("/api/v1/tools", Map.of("name", tool, "description", "d", "kind", "http", "inputSchema",
                Map.of("type", "object"), "http", Map.of("method", "POST", "url", "https://example.com/x")))
            .expect(201);
        String slug = uniqueSlug("rt");
        ObjectNode agent = Agents.create(slug, Map.of());
        ((ObjectNode) agent.get("config")).set("tools", Api.JSON.valueToTree(List.of(Map.of("name", tool))));
        tenant.owner().post("/api/v1/agents", agent).expect(201);
        tenant.owner().post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        double asked = offersServed();
        assertThat(withheld(runtimeService, slug)).contains("no grant");
        assertThat(withheld(runtimeService, slug)).contains("no grant");
        await().atMost(Duration.ofSeconds(5)).until(() -> offersServed() - asked >= 1);
        assertThat(offersServed() - asked).as("the tools service is asked once for both runs").isEqualTo(1);

        String grant = toolsService.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool,
                "effect", "allow")).expect(201).json().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> withheld(runtimeService, slug) == null);

        toolsService.post("/api/v1/tools/" + tool + "/disable", "").expect(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> withheld(runtimeService, slug),
                withheld -> withheld != null && withheld.contains("disabled"));
        toolsService.post("/api/v1/tools/" + tool + "/enable", "").expect(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> withheld(runtimeService, slug) == null);

        toolsService.delete("/api/v1/tool-grants/" + grant).expect(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> withheld(runtimeService, slug),
                withheld -> withheld != null && withheld.contains("no grant"));
    }

    /** How many times the tools service has answered which tools a caller may be offered. */
    private static double offersServed() {
        return tools.getBean(MeterRegistry.class)
            .find("http.server.requests")
            .tag("uri", "/internal/v1/tools/available")
            .timers()
            .stream()
            .mapToDouble(Timer::count)
            .sum();
    }

    /** What a run of the agent was not offered, or null when it was offered every tool it names. */
    private static String withheld(Api runtimeService, String slug) {
        Api.Reply run = RuntimeServiceIT.run(runtimeService, slug, null);
        assertThat(run.status()).as(run.toString()).isEqualTo(201);
        JsonNode withheld = run.json().at("/run/toolsWithheld");
        return withheld.isMissingNode() || withheld.isNull() ? null : withheld.toString();
    }
}
