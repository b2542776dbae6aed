package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.SseEvent;
import io.retinue.testing.Api.Streamed;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Streamed runs: events in order with ids, resuming with Last-Event-ID, dropped streams, and approvals. */
class RunStreamingIT extends PlatformIT {

    private static final String ADD = "use builtin__calculator with {\"expression\":\"2+3\"}";

    private String agent(Api as, String provider, String grant) {
        return agent(as, provider, grant, "builtin.calculator");
    }

    private String agent(Api as, String provider, String grant, String tool) {
        ObjectNode body = Agents.create(uniqueSlug("streamer"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", tool))));
        ((ObjectNode) config.get("model")).put("provider", provider);
        String slug = body.get("slug").asString();
        assertThat(as.post("/api/v1/agents", body).status()).isEqualTo(201);
        assertThat(as.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
        as.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect", grant));
        return slug;
    }

    private static Map<String, Object> request(String agent, String input, Object... more) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("agent", agent, "input", input, "variables",
                Map.of("company", "ACME")));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    @Test
    void aStreamedToolUsingRunSendsItsEventsInOrderAndCanBeReplayedFromAnyEvent() {
        Api owner = newTenant(api, "st").owner();
        String slug = agent(owner, "fake", "allow");

        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, ADD)).stream();
        assertThat(stream.status()).as(stream.toString()).isEqualTo(200);
        assertThat(stream.header("Content-Type").orElseThrow()).startsWith("text/event-stream");
        // Sent before the first event, from the request's thread, with the security filters' own headers.
        assertThat(stream.header("Cache-Control")).contains("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).contains("no");
        assertThat(stream.header("X-Content-Type-Options")).contains("nosniff");
        assertThat(stream.header("Content-Security-Policy")).contains("default-src 'none'; frame-ancestors 'none'");
        assertThat(stream.header("Location").orElseThrow()).startsWith("/api/v1/runs/");
        assertThat(stream.types()).as(stream.toString()).startsWith("run.started", "step.finished", "tool.started",
                "tool.finished").endsWith("step.finished", "run.completed").contains("text.delta");
        assertThat(stream.events().stream().map(SseEvent::id)).as("ids count up from 1")
            .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, stream.events().size()).boxed().toList());
        JsonNode toolFinished = stream.events().get(3).data();
        assertThat(toolFinished.get("tool").asString()).isEqualTo("builtin.calculator");
        assertThat(toolFinished.get("outcome").asString()).isEqualTo("completed");
        assertThat(toolFinished.get("durationMs").asLong()).isNotNegative();
        assertThat(stream.events().get(1).data().get("tokensIn").asLong()).as("usage of the model step").isEqualTo(20);
        String text = stream.events().stream().filter(e -> e.type().equals("text.delta"))
            .map(e -> e.data().get("text").asString()).reduce("", String::concat);
        JsonNode completed = stream.events().getLast().data();
        assertThat(completed.get("output").asString()).isEqualTo(text).startsWith("fake model: the tool said").contains("5");
        assertThat(stream.types().stream().filter("text.delta"::equals).count()).as("the answer came in pieces")
            .isGreaterThan(3);

        String location = stream.header("Location").orElseThrow();
        JsonNode view = owner.get(location).json();
        JsonNode run = view.get("run");
        assertThat(run.get("status").asString()).isEqualTo("completed");
        assertThat(run.get("output").asString()).isEqualTo(text);
        // One numbering: the events' round and number are the run's steps' round and number, and steps counts them.
        assertThat(stream.events().stream()
            .filter(e -> e.type().equals("step.finished") || e.type().equals("tool.finished"))
            .map(e -> e.data().get("number").asInt() + "/" + e.data().get("round").asInt()))
            .as("each recorded step reported with its number and round").containsExactly("1/1", "2/1", "3/2");
        assertThat(view.get("steps").valueStream().map(step -> step.get("number").asInt() + "/" + step.get("round").asInt()))
            .containsExactly("1/1", "2/1", "3/2");
        assertThat(stream.events().stream().filter(e -> e.type().equals("tool.started") || e.type().equals("text.delta"))
            .map(e -> e.type() + " " + e.data().get("round").asInt()).distinct())
            .containsExactly("tool.started 1", "text.delta 2");
        assertThat(completed.get("steps").asInt()).isEqualTo(run.get("steps").asInt()).isEqualTo(3);

        Streamed resumed = owner.call("GET", location + "/events").header("Last-Event-ID", "3").stream();
        assertThat(resumed.events()).as("only what came after event 3")
            .containsExactlyElementsOf(stream.events().subList(3, stream.events().size()));
        assertThat(owner.call("GET", location + "/events?after=0").stream().events()).isEqualTo(stream.events());
        assertThat(api.call("GET", location + "/events").stream().status()).as("another tenant").isEqualTo(404);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void eachEventReachesTheClientAsItHappensAndTheStreamIsLoggedOnceItHasEnded(CapturedOutput output) {
        Api owner = newTenant(api, "sl").owner();
        String slug = agent(owner, "fake", "allow");
        long[] firstText = new long[1];
        Streamed streamed = owner.call("POST", "/api/v1/runs?mode=stream")
            .header("X-Request-Id", "stream-logged-1")
            .json(request(slug, "[[drip:80]] a story of about ten words told slowly to the end"))
            .stream(line -> {
                if (firstText[0] == 0 && line.equals("event: text.delta")) {
                    firstText[0] = System.nanoTime();
                }
            });
        long ended = System.nanoTime();
        assertThat(streamed.types()).contains("text.delta").last().isEqualTo("run.completed");
        // Sent as it is journalled, not held until the run ends: the first text came well before the stream's end.
        assertThat(Duration.ofNanos(ended - firstText[0])).isGreaterThan(Duration.ofMillis(400));

        // One access line, written once the stream has ended: its whole duration and every byte sent.
        List<String> lines = await().atMost(Duration.ofSeconds(5))
            .until(() -> output.getAll().lines().filter(line -> line.contains("retinue.access")
                    && line.contains("stream-logged-1")).toList(), found -> !found.isEmpty());
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).contains("POST /api/v1/runs 200 ", "ratelimit=allowed");
        Matcher logged = Pattern.compile(" ([0-9.]+)ms .* out=([0-9]+) ").matcher(lines.getFirst());
        assertThat(logged.find()).as(lines.getFirst()).isTrue();
        assertThat(Double.parseDouble(logged.group(1))).isGreaterThan(400);
        assertThat(Long.parseLong(logged.group(2)))
            .isGreaterThanOrEqualTo(streamed.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aStreamOfARunStillGoingFollowsItLiveAndBadRequestsAreProblems() {
        Api owner = newTenant(api, "sl").owner();
        String slug = agent(owner, "fake", "allow");
        Api.Reply accepted = owner.call("POST", "/api/v1/runs?mode=async")
            .json(request(slug, "[[drip:30]] tell me a longer story of several words please")).send();
        String location = accepted.header("Location").orElseThrow();
        Streamed live = owner.call("GET", location + "/events").stream();
        assertThat(live.types()).first().isEqualTo("run.started");
        assertThat(live.types()).last().isEqualTo("run.completed");
        assertThat(live.events().getLast().data().get("output").asString()).contains("several words please");

        Streamed invalid = owner.call("POST", "/api/v1/runs?mode=stream").json(Map.of("agent", slug, "input", "")).stream();
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(422);
        assertThat(invalid.body()).contains("/input");
    }

    @Test
    void aDroppedStreamCancelsItsRunUnlessItAskedToContinue() throws Exception {
        Api owner = newTenant(api, "sd").owner();
        String slug = agent(owner, "fake", "allow");
        String story = "[[drip:150]] " + "word ".repeat(60);

        String dropped = startAndDrop(owner, request(slug, story));
        await().atMost(Duration.ofSeconds(8))
            .until(() -> owner.get(dropped).json().at("/run/status").asString().equals("cancelled"));

        String kept = startAndDrop(owner, request(slug, "[[drip:20]] " + "word ".repeat(40), "onDisconnect", "continue"));
        await().atMost(Duration.ofSeconds(15))
            .until(() -> owner.get(kept).json().at("/run/status").asString().equals("completed"));
    }

    /** Starts a streamed run over a raw connection, reads until the first text arrives, and hangs up. */
    private String startAndDrop(Api owner, Map<String, Object> body) throws Exception {
        byte[] json = Api.JSON.writeValueAsBytes(body);
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/runs?mode=stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + owner.apiKey() + "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String location = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.regionMatches(true, 0, "Location:", 0, 9)) {
                    location = line.substring(9).trim();
                }
                if (line.contains("event: text.delta")) {
                    break;
                }
            }
            assertThat(location).isNotNull();
            return location;
        }
    }

    @Test
    void aCallHeldForApprovalWaitsAndGoesOnOnceApprovedWithEditedArgumentsOrRejected() {
        Api owner = newTenant(api, "sa").owner();
        String slug = agent(owner, "fake", "require_approval");

        Streamed waiting = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, ADD)).stream();
        assertThat(waiting.types()).last().isEqualTo("run.requires_action");
        JsonNode pending = waiting.events().getLast().data().at("/pending/0");
        assertThat(pending.get("tool").asString()).isEqualTo("builtin.calculator");
        assertThat(pending.at("/arguments/expression").asString()).isEqualTo("2+3");
        String location = waiting.header("Location").orElseThrow();
        assertThat(owner.get(location).json().at("/run/status").asString()).isEqualTo("requires_action");
        String reader = owner.post("/api/v1/api-keys", Map.of("name", "reader", "scopes", List.of("runs:read")))
            .json().get("secret").asString();
        assertThat(owner.as(reader).post(location + "/decision", Map.of("decision", "approve")).status())
            .as("reading runs does not let one approve their calls").isEqualTo(403);

        Api.Reply approved = owner.post(location + "/decision", Map.of("decision", "approve", "arguments",
                Map.of("expression", "20+3")));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().at("/run/status").asString()).isEqualTo("completed");
        assertThat(approved.json().at("/run/output").asString()).as("the edited call ran").contains("23");
        assertThat(approved.json().get("steps").valueStream().map(s -> s.get("kind").asString() + ":" + s.get("outcome").asString()))
            .containsExactly("model:tool_calls", "tool:approval_required", "tool:completed", "model:answer");
        JsonNode execution = owner.get("/api/v1/tool-executions?tool=builtin.calculator").json().at("/items/0");
        assertThat(execution.get("status").asString()).isEqualTo("completed");
        assertThat(execution.get("approvedBy").asString()).isNotBlank();
        Streamed all = owner.call("GET", location + "/events").stream();
        assertThat(all.types()).contains("run.requires_action").endsWith("run.completed");
        assertThat(owner.post(location + "/decision", Map.of("decision", "approve")).status()).as("not waiting any more")
            .isEqualTo(409);

        String rejected = owner.post("/api/v1/runs", request(slug, ADD)).header("Location").orElseThrow();
        Streamed afterRejection = owner.call("POST", rejected + "/decision?mode=stream")
            .json(Map.of("decision", "reject", "comment", "not today")).stream();
        assertThat(afterRejection.types()).as("only what followed the decision").startsWith("run.started")
            .endsWith("run.completed").doesNotContain("run.requires_action");
        assertThat(afterRejection.events().getLast().data().get("output").asString()).contains("rejected")
            .contains("not today");

        String later = owner.post("/api/v1/runs", request(slug, ADD)).header("Location").orElseThrow();
        Api.Reply accepted = owner.post(later + "/decision?mode=async", Map.of("decision", "approve"));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(accepted.header("Location")).contains(later);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> owner.get(later).json().at("/run/status").asString().equals("completed"));

        String cancelled = owner.post("/api/v1/runs", request(slug, ADD)).header("Location").orElseThrow();
        assertThat(owner.post(cancelled + "/decision", Map.of("decision", "maybe")).status()).isEqualTo(422);
        assertThat(owner.post(cancelled + "/cancel", "").json().at("/run/status").asString()).isEqualTo("cancelled");
        assertThat(owner.post(cancelled + "/decision", Map.of("decision", "approve")).status()).isEqualTo(409);
    }

    @Test
    void anApprovalWithoutArgumentsRunsTheCallWithTheArgumentsTheModelGave() {
        Api owner = newTenant(api, "sn").owner();
        String slug = agent(owner, "fake", "require_approval");
        String absent = owner.post("/api/v1/runs", request(slug, ADD)).header("Location").orElseThrow();
        String explicitNull = owner.post("/api/v1/runs", request(slug, ADD)).header("Location").orElseThrow();
        java.util.Map<String, Object> nullArguments = new java.util.HashMap<>();
        nullArguments.put("decision", "approve");
        nullArguments.put("arguments", null);

        for (Api.Reply approved : List.of(owner.post(absent + "/decision", Map.of("decision", "approve")),
                owner.post(explicitNull + "/decision", nullArguments))) {
            assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
            assertThat(approved.json().at("/run/status").asString()).isEqualTo("completed");
            assertThat(approved.json().get("steps").valueStream()
                .map(s -> s.get("kind").asString() + ":" + s.get("outcome").asString()))
                .as("the approved call ran").containsExactly("model:tool_calls", "tool:approval_required",
                        "tool:completed", "model:answer");
            assertThat(approved.json().at("/run/output").asString()).as("2+3 was computed").contains("5");
        }
        assertThat(owner.get("/api/v1/tool-executions?tool=builtin.calculator&status=completed").json().get("items")
            .valueStream().map(execution -> execution.at("/arguments/expression").asString()))
            .as("each ran with the model's arguments").containsExactly("2+3", "2+3");
    }

    @Test
    void aWaitedForOrStreamedRunCanBeCancelledFromElsewhereAndARunPastItsTimeoutEndsTimedOut() throws Exception {
        Api owner = newTenant(api, "sc").owner();
        String slug = agent(owner, "fake", "allow");
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var waiting = pool.submit(() -> owner.post("/api/v1/runs", request(slug, "[[slow:8000]] sync")));
            String running = await().atMost(Duration.ofSeconds(5)).until(() -> owner.get("/api/v1/runs?agent=" + slug
                    + "&status=running").json().at("/items/0/id").asString(null), java.util.Objects::nonNull);
            assertThat(owner.post("/api/v1/runs/" + running + "/cancel", "").status()).isEqualTo(200);
            Api.Reply ended = waiting.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ended.json().at("/run/status").asString()).as("the waiting request answers at once")
                .isEqualTo("cancelled");

            var streaming = pool.submit(() -> owner.call("POST", "/api/v1/runs?mode=stream")
                .json(request(slug, "[[drip:200]] " + "word ".repeat(50))).stream());
            String streamed = await().atMost(Duration.ofSeconds(5)).until(() -> owner.get("/api/v1/runs?agent=" + slug
                    + "&status=running").json().at("/items/0/id").asString(null), java.util.Objects::nonNull);
            owner.post("/api/v1/runs/" + streamed + "/cancel", "");
            Streamed stream = streaming.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stream.types()).as("the stream ends with the cancellation").last().isEqualTo("run.cancelled");
        }

        // Timeouts count against the provider's breaker: they go to a connection of this tenant's own.
        owner.put("/api/v1/credentials/model-key", Map.of("kind", "api_key", "fields",
                Map.of("value", io.retinue.testing.FakeModelServer.API_KEY)));
        owner.put("/api/v1/model-providers/slowpoke", Map.of("type", "openai", "baseUrl",
                io.retinue.testing.FakeModelServer.get().baseUrl(), "credential", "credential:model-key"));
        ObjectNode body = Agents.create(uniqueSlug("patient"), Map.of());
        ((ObjectNode) body.get("config").get("model")).put("provider", "slowpoke");
        ((ObjectNode) body.get("config")).set("limits", Api.JSON.createObjectNode().put("runTimeoutSeconds", 1));
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + body.get("slug").asString() + "/versions/1/publish", "");
        long started = System.nanoTime();
        JsonNode late = owner.post("/api/v1/runs", request(body.get("slug").asString(), "[[slow:3000]] hi")).json();
        assertThat(late.at("/run/status").asString()).as(late.toString()).isEqualTo("timed_out");
        assertThat(late.at("/run/errorCode").asString()).isEqualTo("run_timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("retries stop at the run's deadline")
            .isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void theToolCallsOfOneModelRoundRunInParallel() {
        Api owner = newTenant(api, "sp").owner();
        String tool = "par" + uniqueSlug("x").replace("-", "") + ".slow";
        assertThat(owner.post("/api/v1/tools", Map.of("name", tool, "description", "Answers after two seconds", "kind",
                "http", "inputSchema", Map.of("type", "object", "properties", Map.of("query", Map.of("type", "string"))),
                "http", Map.of("method", "GET", "url", "http://localhost:" + TestUpstream.shared().port() + "/slow"),
                "timeoutMs", 10000, "maxConcurrency", 4)).status()).isEqualTo(201);
        String slug = agent(owner, "fake", "allow", tool);
        String wish = "use " + tool.replace(".", "__") + " with {\"query\":\"%s\"}";

        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream")
            .json(request(slug, wish.formatted("a") + " || " + wish.formatted("b"))).stream();
        assertThat(stream.types()).as(stream.toString()).endsWith("run.completed");
        assertThat(stream.types().stream().filter("tool.started"::equals)).hasSize(2);
        assertThat(stream.types().subList(2, 4)).as("both calls start before either finishes")
            .containsExactly("tool.started", "tool.started");
        List<JsonNode> executions = owner.get("/api/v1/tool-executions?tool=" + tool).json().get("items").valueStream().toList();
        assertThat(executions).hasSize(2);
        java.time.Instant firstStart = java.time.Instant.parse(executions.get(0).get("startedAt").asString());
        java.time.Instant secondStart = java.time.Instant.parse(executions.get(1).get("startedAt").asString());
        assertThat(Duration.between(firstStart, secondStart).abs())
            .as("the second call started while the first (two seconds long) was running")
            .isLessThan(Duration.ofMillis(executions.get(0).get("durationMs").asLong()));
    }

    @Test
    void secretLookingArgumentsAreMaskedInStepsAndEvents() {
        Api owner = newTenant(api, "sm").owner();
        String tool = "sec" + uniqueSlug("x").replace("-", "") + ".echo";
        owner.post("/api/v1/tools", Map.of("name", tool, "description", "Echoes", "kind", "http", "inputSchema",
                Map.of("type", "object", "properties", Map.of("query", Map.of("type", "string"), "token",
                        Map.of("type", "string"))),
                "http", Map.of("method", "GET", "url", "http://localhost:" + TestUpstream.shared().port() + "/echo")));
        String slug = agent(owner, "fake", "allow", tool);
        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, "use "
                + tool.replace(".", "__") + " with {\"query\":\"q\",\"token\":\"s3cret-value\"}")).stream();
        assertThat(stream.types()).as(stream.toString()).last().isEqualTo("run.completed");
        JsonNode started = stream.events().stream().filter(e -> e.type().equals("tool.started")).findFirst()
            .orElseThrow().data();
        assertThat(started.at("/arguments/token").asString()).isEqualTo("****");
        assertThat(started.at("/arguments/query").asString()).isEqualTo("q");
        JsonNode run = owner.get(stream.header("Location").orElseThrow()).json();
        assertThat(run.at("/steps/1/arguments/token").asString()).isEqualTo("****");
        assertThat(run.toString()).as("the tool got the call's idempotency key: run/round/call")
            .containsPattern("idempotencyKey[^a-z0-9]*" + run.at("/run/id").asString() + "/\\d+/0");
        assertThat(run.get("steps").toString() + stream.body()).as("only the user's own input still holds it")
            .doesNotContain("s3cret-value");
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    /** A run another instance works on is only marked: the cancel says so (202, cancelling) and that instance ends it. */
    @Test
    void aCancelOfARunAnotherInstanceHoldsIsAnswered202AndTheRunEndsCancelled() {
        Api owner = newTenant(api, "sx").owner();
        String slug = agent(owner, "fake", "require_approval");
        String id = owner.post("/api/v1/runs", request(slug, ADD)).json().at("/run/id").asString();
        // As if another instance had taken the run up and held its lease (for two seconds more).
        assertThat(jdbc.sql("""
                UPDATE runtime.run SET status = 'running', lease_owner = 'another-instance',
                    lease_expires_at = :until WHERE id = :id AND status = 'requires_action'""")
            .param("until", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(2))
            .param("id", java.util.UUID.fromString(id))
            .update()).isEqualTo(1);

        Api.Reply cancel = owner.post("/api/v1/runs/" + id + "/cancel", "");
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        assertThat(cancel.json().at("/run/status").asString()).isEqualTo("cancelling");
        assertThat(cancel.header("Location")).hasValue("/api/v1/runs/" + id);
        await().atMost(Duration.ofSeconds(15))
            .until(() -> owner.get("/api/v1/runs/" + id).json().at("/run/status").asString().equals("cancelled"));
    }

    @Test
    void aRunWaitingTooLongForADecisionExpires() {
        Api owner = newTenant(api, "se").owner();
        String slug = agent(owner, "fake", "require_approval");
        JsonNode waiting = owner.post("/api/v1/runs", request(slug, ADD)).json();
        assertThat(waiting.at("/run/status").asString()).isEqualTo("requires_action");
        assertThat(waiting.at("/run/finishedAt").isNull()).as("waiting is not finished").isTrue();
        assertThat(waiting.at("/run/waitingSince").asString()).isNotBlank();
        assertThat(waiting.at("/run/startedAt").asString()).isNotBlank();
        String id = waiting.at("/run/id").asString();
        // As if it had waited eight days (the expiry is seven by default).
        jdbc.sql("UPDATE runtime.run SET finished_at = :then WHERE id = :id")
            .param("then", java.sql.Timestamp.from(java.time.Instant.now().minus(Duration.ofDays(8))))
            .param("id", java.util.UUID.fromString(id))
            .update();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
            .until(() -> owner.get("/api/v1/runs/" + id).json().at("/run/status").asString().equals("cancelled"));
        JsonNode expired = owner.get("/api/v1/runs/" + id).json();
        assertThat(expired.at("/run/errorCode").asString()).isEqualTo("approval_expired");
        assertThat(owner.post("/api/v1/runs/" + id + "/decision", Map.of("decision", "approve")).status()).isEqualTo(409);
        assertThat(owner.call("GET", "/api/v1/runs/" + id + "/events").stream().types()).last()
            .isEqualTo("run.cancelled");
    }

    @Test
    void theDemoModelStreamsAnAnswerWithAToolCall() {
        Api owner = newTenant(api, "sq").owner();
        String slug = agent(owner, "demo", "allow");
        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, "What is 6 * 7?")).stream();
        assertThat(stream.types()).startsWith("run.started", "step.finished", "tool.started", "tool.finished")
            .endsWith("run.completed");
        assertThat(stream.events().get(2).data().get("tool").asString()).isEqualTo("builtin.calculator");
        assertThat(stream.events().getLast().data().get("output").asString()).startsWith("[demo model]").contains("42");
    }
}
