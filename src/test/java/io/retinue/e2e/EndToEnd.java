package io.retinue.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.Api.SseEvent;
import io.retinue.testing.Api.Streamed;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/**
 * What a team does with Retinue, from outside, the same in every shape the platform runs in: a tenant registers an
 * HTTP tool, makes an agent that names it, grants it, and runs it synchronously, streamed and in the background; a
 * call held for approval goes on once approved; a run in progress is cancelled; the audit log and the run and tool
 * records tell what happened; an agent in use is not deleted, one no longer used is, and the tool it named can go; a
 * removed tenant's keys stop working and nothing of it is left.
 * Implemented by a test of each shape, which says where the platform's entry point is.
 */
interface EndToEnd {

    /** The tool the agents here name, as registered and as the model is offered it. */
    String TOOL = "e2e.visit";
    String TOOL_WIRE_NAME = "e2e__visit";

    /** The platform's entry point, with the installation's admin key. */
    Api admin();

    @Test
    default void anAgentWithAnHttpToolRunsSyncStreamedAndInTheBackgroundEachCallMadeOnce() {
        Api owner = tenant("run");
        String slug = agentWithTool(owner, "allow");
        TestUpstream upstream = TestUpstream.shared();

        String syncMarker = marker();
        Reply sync = owner.post("/api/v1/runs", run(slug, visit(syncMarker))).expect(201);
        assertThat(sync.json().at("/run/status").asString()).as(sync.toString()).isEqualTo("completed");
        assertThat(sync.json().at("/run/output").asString()).contains("the tool said");
        assertThat(sync.json().get("steps").valueStream().map(s -> s.get("kind").asString() + ":" + s.get("outcome")
            .asString())).containsExactly("model:tool_calls", "tool:completed", "model:answer");
        assertThat(upstream.hits("/echo?run=" + syncMarker)).isEqualTo(1);

        String streamMarker = marker();
        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(run(slug, visit(streamMarker))).stream();
        assertThat(stream.status()).as(stream.toString()).isEqualTo(200);
        assertThat(stream.header("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(stream.types()).as(stream.toString())
            .startsWith("run.started", "step.finished", "tool.started", "tool.finished")
            .contains("text.delta")
            .endsWith("step.finished", "run.completed");
        assertThat(stream.events().stream().map(SseEvent::id)).as("ids count up from 1")
            .containsExactlyElementsOf(IntStream.rangeClosed(1, stream.events().size()).boxed().toList());
        assertThat(stream.events().get(3).data().get("tool").asString()).isEqualTo(TOOL);
        assertThat(upstream.hits("/echo?run=" + streamMarker)).isEqualTo(1);
        String streamed = stream.header("Location").orElseThrow();
        Streamed resumed = owner.call("GET", streamed + "/events").header("Last-Event-ID", "3").stream();
        assertThat(resumed.events()).as("resumed after event 3")
            .containsExactlyElementsOf(stream.events().subList(3, stream.events().size()));

        String asyncMarker = marker();
        Reply accepted = owner.call("POST", "/api/v1/runs?mode=async").json(run(slug, visit(asyncMarker))).send()
            .expect(202);
        String location = accepted.header("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> owner.get(location).json().at("/run/status").asString(), "completed"::equals);
        assertThat(upstream.hits("/echo?run=" + asyncMarker)).isEqualTo(1);

        JsonNode runs = owner.get("/api/v1/runs?agent=" + slug).expect(200).json().get("items");
        assertThat(runs.valueStream().map(r -> r.get("status").asString())).containsExactly("completed", "completed",
                "completed");
        JsonNode executions = owner.get("/api/v1/tool-executions?tool=" + TOOL).expect(200).json().get("items");
        assertThat(executions.valueStream().map(e -> e.at("/arguments/run").asString()))
            .containsExactlyInAnyOrder(syncMarker, streamMarker, asyncMarker);
        assertThat(executions.valueStream().map(e -> e.get("status").asString())).containsOnly("completed");
    }

    @Test
    default void aCallHeldForApprovalGoesOnOnceApprovedAndWhoMayNotDecideIsRefusedAndAudited() {
        Api owner = tenant("approve");
        String slug = agentWithTool(owner, "require_approval");
        TestUpstream upstream = TestUpstream.shared();

        String asked = marker();
        Reply waiting = owner.post("/api/v1/runs", run(slug, visit(asked))).expect(201);
        assertThat(waiting.json().at("/run/status").asString()).as(waiting.toString()).isEqualTo("requires_action");
        String location = waiting.header("Location").orElseThrow();
        assertThat(upstream.hits("/echo?run=" + asked)).as("nothing ran before the decision").isZero();

        String reader = owner.post("/api/v1/api-keys", Map.of("name", "reader", "scopes", List.of("runs:read")))
            .expect(201).json().get("secret").asString();
        Reply refused = owner.as(reader).post(location + "/decision", Map.of("decision", "approve"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);

        String edited = marker();
        Reply approved = owner.post(location + "/decision", Map.of("decision", "approve", "arguments",
                Map.of("run", edited))).expect(200);
        assertThat(approved.json().at("/run/status").asString()).isEqualTo("completed");
        assertThat(upstream.hits("/echo?run=" + edited)).as("the edited call ran once").isEqualTo(1);
        assertThat(upstream.hits("/echo?run=" + asked)).as("the call as asked did not run").isZero();
        JsonNode execution = owner.get("/api/v1/tool-executions?tool=" + TOOL).json().at("/items/0");
        assertThat(execution.get("approvedBy").asString()).isNotBlank();
        assertThat(owner.post(location + "/decision", Map.of("decision", "approve")).status())
            .as("not waiting any more").isEqualTo(409);

        JsonNode audit = owner.get("/api/v1/audit-events").expect(200).json().get("items");
        assertThat(audit.valueStream().map(e -> e.get("action").asString() + " " + e.get("outcome").asString()))
            .contains("api_key.created success", "access.denied denied");
    }

    @Test
    default void aRunInProgressIsCancelled() {
        Api owner = tenant("cancel");
        String slug = agentWithTool(owner, "allow");
        String location = owner.call("POST", "/api/v1/runs?mode=async").json(run(slug, "[[slow:20000]] take your time"))
            .send()
            .expect(202)
            .header("Location")
            .orElseThrow();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> owner.get(location).json().at("/run/status").asString(), "running"::equals);
        Reply cancel = owner.post(location + "/cancel", "");
        assertThat(cancel.status()).as(cancel.toString()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(15))
            .until(() -> owner.get(location).json().at("/run/status").asString(), "cancelled"::equals);
    }

    @Test
    default void anAgentInUseStaysAndOneNoLongerUsedIsDeletedReleasingTheToolItNamed() {
        Api owner = tenant("delete");
        String slug = agentWithTool(owner, "allow");
        String etag = owner.get("/api/v1/agents/" + slug).expect(200).header("ETag").orElseThrow();
        Reply toolInUse = await().atMost(Duration.ofSeconds(20))
            .until(() -> owner.delete("/api/v1/tools/" + TOOL), reply -> reply.status() == 409);
        assertThat(toolInUse.json().get("type").asString()).endsWith("/tools/tool-in-use");

        String session = owner.post("/api/v1/sessions", Map.of("agent", slug)).expect(201).json().get("id").asString();
        Reply inUse = owner.delete("/api/v1/agents/" + slug);
        assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
        assertThat(inUse.json().get("type").asString()).endsWith("/agents/agent-in-use");
        assertThat(inUse.json().get("detail").asString()).contains("session");
        Reply kept = owner.get("/api/v1/agents/" + slug).expect(200);
        assertThat(kept.json().get("status").asString()).as("put back as it was").isEqualTo("active");
        assertThat(kept.header("ETag")).contains(etag);
        owner.post("/api/v1/runs", run(slug, "still here?")).expect(201);

        owner.delete("/api/v1/sessions/" + session).expect(204);
        owner.delete("/api/v1/agents/" + slug).expect(204);
        owner.get("/api/v1/agents/" + slug).expect(404);
        assertThat(owner.post("/api/v1/runs", run(slug, "gone?")).status()).isBetween(400, 499);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> owner.delete("/api/v1/tools/" + TOOL).status(), status -> status == 204);
    }

    @Test
    default void aRemovedTenantLosesItsKeysAndEverythingItKeptAndItsIdCanBeTakenAfresh() {
        String id = "remove" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api owner = tenant(id, "remove");
        String slug = agentWithTool(owner, "allow");
        owner.post("/api/v1/runs", run(slug, visit(marker()))).expect(201);
        owner.post("/api/v1/sessions", Map.of("agent", slug)).expect(201);

        Reply removing = admin().delete("/api/v1/tenants/" + id).expect(202);
        assertThat(removing.json().get("status").asString()).isEqualTo("removing");
        assertThat(removing.header("Location")).contains("/api/v1/tenants/" + id);
        assertThat(owner.get("/api/v1/agents").status()).as("its keys stop working at once").isEqualTo(401);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> admin().get("/api/v1/tenants/" + id).status() == 404);

        Api again = tenant(id, "remove");
        for (String list : List.of("/api/v1/agents", "/api/v1/tools?kind=http", "/api/v1/runs", "/api/v1/sessions",
                "/api/v1/tool-grants", "/api/v1/tool-executions")) {
            JsonNode page = again.get(list).expect(200).json();
            assertThat(page.isArray() ? page : page.get("items")).as("nothing of the removed tenant in " + list)
                .isEmpty();
        }
    }

    /** A tenant of its own, through the entry point, and its owner's key. */
    private Api tenant(String prefix) {
        return tenant(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 8), prefix);
    }

    private Api tenant(String id, String prefix) {
        Reply created = admin().post("/api/v1/tenants", Map.of("id", id, "name", "End to end " + prefix)).expect(201);
        return admin().as(created.json().at("/ownerKey/secret").asString());
    }

    /** Registers the HTTP tool, makes and publishes an agent naming it, and grants it with {@code effect}. */
    private static String agentWithTool(Api owner, String effect) {
        TestUpstream upstream = TestUpstream.shared();
        Reply tool = owner.post("/api/v1/tools", Map.of("name", TOOL, "description", "Records a visit", "kind", "http",
                "inputSchema", Map.of("type", "object", "properties", Map.of("run", Map.of("type", "string")),
                        "required", List.of("run")),
                "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port() + "/echo", "query",
                        Map.of("run", "{run}"), "body", "arguments")));
        assertThat(tool.status()).as(tool.toString()).isIn(201, 409);
        String slug = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        owner.post("/api/v1/agents", Map.of("slug", slug, "name", "End to end", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You record visits."),
                "tools", List.of(Map.of("name", TOOL))))).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", TOOL, "effect", effect))
            .expect(201);
        return slug;
    }

    private static Map<String, Object> run(String agent, String input) {
        return new HashMap<>(Map.of("agent", agent, "input", input));
    }

    private static String visit(String marker) {
        return "use " + TOOL_WIRE_NAME + " with {\"run\":\"" + marker + "\"}";
    }

    private static String marker() {
        return "e2e" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
