package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.observation.SecurityObservationSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.retinue.agents.AgentCatalog;
import io.retinue.agents.remote.HttpAgentCatalog;
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
 * A runtime service and an agents service on RabbitMQ: the runtime asks the agents service for an agent's spec once
 * for many runs, and what the agents service publishes, archives or deletes reaches the runtime's cache as an event,
 * long before its times to live (ten minutes here) would end what it keeps. The tools module runs in the platform
 * under test, which takes no events from RabbitMQ: the runtime is the only service taking the agents service's events
 * into this database (services sharing a database would each drop the events another took first).
 */
class RuntimeServiceIT extends PlatformIT {

    private static final String SPEC_ENDPOINT = "/internal/v1/agents/{agent}/spec";

    private static ConfigurableApplicationContext agents;
    private static ConfigurableApplicationContext runtime;

    @Autowired
    InternalTokens tokens;

    @Autowired
    DataSource dataSource;

    @AfterAll
    static void stopServices() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { runtime, agents }) {
            if (context != null) {
                context.close();
            }
        }
        runtime = null;
        agents = null;
    }

    @Test
    void theRuntimeReadsAnAgentOnceAndFollowsWhatTheAgentsServiceChanges() {
        TestRabbit.require();
        String platform = "http://127.0.0.1:" + port;
        String rabbit = "--spring.rabbitmq.addresses=amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT;
        agents = start("agents", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.runtime.url=" + platform, "--retinue.services.tools.url=" + platform);
        // Events that earlier tests' services left for a runtime would end what this one keeps at any moment.
        agents.getBean(AmqpAdmin.class).purgeQueue("retinue.events.runtime", false);
        // No queue workers: this instance shares the suite's database and must not take other tests' queued runs.
        runtime = start("runtime", 0, rabbit, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.tools.url=" + platform,
                "--retinue.services.agents.url=http://127.0.0.1:" + portOf(agents),
                "--retinue.runtime.queue.workers=0", "--retinue.runtime.cache.ttl=10m",
                // Completed publications kept, to show no run's end was recorded for sending.
                "--spring.modulith.events.completion-mode=update",
                "--retinue.runtime.cache.pinned-ttl=10m", "--retinue.runtime.cache.negative-ttl=10m");
        assertThat(runtime.getBean(AgentCatalog.class)).isInstanceOf(HttpAgentCatalog.class);
        // Spring Security's filters unobserved here too, as in the gateway: observing them cost every request.
        assertThat(runtime.getBeanProvider(SecurityObservationSettings.class).getIfAvailable()).isNotNull();

        TestTenant tenant = newTenant(api, "rs");
        Caller owner = new Caller(new TenantId(tenant.id()), "key:splitowner3", Role.OWNER.scopes());
        Api agentsService = new Api(portOf(agents), tokens.mint(owner, "agents"));
        Api runtimeService = new Api(portOf(runtime), tokens.mint(owner, "runtime"));
        String slug = uniqueSlug("rs");
        ObjectNode agent = Agents.create(slug, Map.of());
        ((ObjectNode) agent.get("config")).set("tools", Api.JSON.valueToTree(List.of()));
        agentsService.post("/api/v1/agents", agent).expect(201);
        long taken = publicationsTaken();
        agentsService.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        // The publication's event ends what the runtime keeps for the agent whenever it arrives: counted from then on.
        await().atMost(Duration.ofSeconds(20)).until(() -> publicationsTaken() > taken);

        double asked = specsServed();
        for (int run = 0; run < 5; run++) {
            assertThat(version(run(runtimeService, slug, null))).isEqualTo(1);
        }
        assertThat(version(run(runtimeService, slug, 1))).isEqualTo(1);
        // The agents service counts a request once it has answered it, which its client may see first.
        await().atMost(Duration.ofSeconds(5)).until(() -> specsServed() - asked >= 2);
        assertThat(specsServed() - asked).as("the live spec and the pinned one, once each").isEqualTo(2);
        assertThat(JdbcClient.create(dataSource)
            .sql("""
                    SELECT COUNT(*) FROM event_publication
                    WHERE event_type LIKE '%RunEnded' AND listener_id LIKE '%EventRelay%'""")
            .query(Long.class)
            .single()).as("no service takes a run's end: nothing recorded to send").isZero();

        agentsService.post("/api/v1/agents/" + slug + "/versions",
                Agents.version(Agents.config("demo-echo", 0.5), "two")).expect(201);
        agentsService.post("/api/v1/agents/" + slug + "/versions/2/publish", "").expect(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> version(run(runtimeService, slug, null)), v -> v == 2);

        agentsService.post("/api/v1/agents/" + slug + "/archive", Map.of()).expect(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> run(runtimeService, slug, null).status(), status -> status == 409);
        assertThat(version(run(runtimeService, slug, 1))).as("pinned, archived").isEqualTo(1);

        agentsService.delete("/api/v1/agents/" + slug).expect(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> run(runtimeService, slug, 1).status(), status -> status == 409);
    }

    static Api.Reply run(Api as, String agent, Integer version) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("agent", agent, "input", "Hello there",
                "variables", Map.of("company", "ACME")));
        if (version != null) {
            body.put("version", version);
        }
        return as.post("/api/v1/runs", body);
    }

    private static int version(Api.Reply run) {
        assertThat(run.status()).as(run.toString()).isEqualTo(201);
        return run.json().at("/run/agentVersion").asInt();
    }

    /** How many AgentVersionPublished events a service has taken into this database. */
    private long publicationsTaken() {
        return JdbcClient.create(dataSource)
            .sql("SELECT COUNT(*) FROM events.consumed_event WHERE routing_key = 'agents.AgentVersionPublished'")
            .query(Long.class)
            .single();
    }

    /** How many spec requests the agents service has answered. */
    private static double specsServed() {
        return agents.getBean(MeterRegistry.class)
            .find("http.server.requests")
            .tag("uri", SPEC_ENDPOINT)
            .timers()
            .stream()
            .mapToDouble(Timer::count)
            .sum();
    }
}
