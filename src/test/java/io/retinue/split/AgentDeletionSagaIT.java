package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;

/**
 * Deleting an agent across services is a saga: the agents service withdraws the agent, asks the runtime service
 * whether anything still depends on it, then deletes it. Here the runtime service accepts the connection and never
 * answers: while the agents service waits, the agent is withdrawn (nothing new runs from it, nothing changes it);
 * when it gives up, the withdrawal is compensated and the agent is back exactly as it was, runs and all.
 */
class AgentDeletionSagaIT extends PlatformIT {

    private static ConfigurableApplicationContext agents;
    private static ServerSocket silentRuntime;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();

    @Autowired
    InternalTokens tokens;

    @AfterAll
    static void stop() throws IOException {
        if (agents != null) {
            agents.close();
            agents = null;
        }
        if (silentRuntime != null) {
            silentRuntime.close();
        }
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Test
    void aDeletionTheRuntimeNeverAnswersIsUndoneAndTheAgentIsBackAsItWas() throws Exception {
        silentRuntime = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    held.add(silentRuntime.accept());
                }
            }
            catch (IOException closed) {
                // the test is over
            }
        });
        String platform = "http://127.0.0.1:" + port;
        agents = start("agents", 0, "--retinue.services.gateway.url=" + platform,
                "--retinue.services.runtime.url=http://127.0.0.1:" + silentRuntime.getLocalPort(),
                "--retinue.services.tools.url=" + platform, "--retinue.services.timeout=2s");

        TestTenant tenant = newTenant(api, "saga");
        Api owner = tenant.owner();
        String slug = uniqueSlug("saga");
        owner.post("/api/v1/agents", Agents.create(slug, Map.of())).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        String etag = owner.get("/api/v1/agents/" + slug).expect(200).header("ETag").orElseThrow();

        Caller caller = new Caller(new TenantId(tenant.id()), "key:sagaowner01", Role.OWNER.scopes());
        CompletableFuture<Reply> deletion = CompletableFuture.supplyAsync(() -> new Api(portOf(agents), null)
            .call("DELETE", "/api/v1/agents/" + slug)
            .anonymous()
            .header("Authorization", "Bearer " + tokens.mint(caller, "agents"))
            .send());

        // Withdrawn while the runtime is asked: the platform (same agents schema) sees it so.
        await().atMost(Duration.ofSeconds(10))
            .until(() -> "deleting".equals(owner.get("/api/v1/agents/" + slug).json().get("status").asString()));
        Reply run = owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hello", "variables",
                Map.of("company", "ACME")));
        assertThat(run.status()).as("no run starts from the live version of an agent being deleted: %s", run)
            .isBetween(400, 499);
        Reply change = owner.call("PATCH", "/api/v1/agents/" + slug).json(Map.of("description", "changed")).send();
        assertThat(change.status()).as(change.toString()).isEqualTo(409);
        assertThat(change.json().get("type").asString()).endsWith("/agents/agent-being-deleted");

        Reply refused = deletion.get(60, TimeUnit.SECONDS);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.json().get("type").asString()).endsWith("/service-unavailable");
        assertThat(refused.header("Retry-After")).isPresent();

        // Compensated: as it was, the same ETag, and it runs again.
        Reply back = owner.get("/api/v1/agents/" + slug).expect(200);
        assertThat(back.json().get("status").asString()).isEqualTo("active");
        assertThat(back.header("ETag")).contains(etag);
        // Here the platform stands in for the runtime without taking the agents service's events from RabbitMQ: it
        // reads the agent again once its note that the agent could not run (kept 2 s) has lapsed.
        await().atMost(Duration.ofSeconds(10)).until(() -> owner.post("/api/v1/runs", Map.of("agent", slug, "input",
                "hello", "variables", Map.of("company", "ACME"))).status() == 201);
    }
}
