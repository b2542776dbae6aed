package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Streamed;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic and Ollama connections, each against the fake model server speaking that provider's API (streamed
 * answers, tool calls, usage, errors), next to the OpenAI-compatible one the other runtime tests use.
 */
class ProvidersIT extends PlatformIT {

    private static final String ADD = "use builtin__calculator with {\"expression\":\"2+3\"}";

    private String agent(Api as, String provider, Map<String, Object> context) {
        ObjectNode body = Agents.create(uniqueSlug("prov"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        ((ObjectNode) config.get("model")).put("provider", provider).put("name", "fake-" + provider);
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", "builtin.calculator"))));
        if (context != null) {
            config.set("context", Api.JSON.valueToTree(context));
        }
        String slug = body.get("slug").asString();
        assertThat(as.post("/api/v1/agents", body).status()).as(body.toString()).isEqualTo(201);
        assertThat(as.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
        as.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.calculator", "effect",
                "allow"));
        return slug;
    }

    private static Map<String, Object> request(String agent, String input) {
        return Map.of("agent", agent, "input", input, "variables", Map.of("company", "ACME"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "fake-anthropic", "fake-ollama" })
    void aStreamedToolUsingRunWorksAgainstTheProvidersOwnApi(String provider) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pv").owner();
        String slug = agent(owner, provider, null);

        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, ADD)).stream();
        assertThat(stream.types()).as(stream.toString()).startsWith("run.started", "step.finished", "tool.started",
                "tool.finished").contains("text.delta").endsWith("step.finished", "run.completed");
        assertThat(stream.events().get(2).data().at("/arguments/expression").asString()).isEqualTo("2+3");
        JsonNode completed = stream.events().getLast().data();
        assertThat(completed.get("output").asString()).startsWith("fake model: the tool said").contains("5");
        assertThat(completed.get("tokensIn").asLong()).as("usage of both model calls").isEqualTo(40);
        assertThat(completed.get("tokensOut").asLong()).isEqualTo(14);

        JsonNode sent = model.lastRequest();
        assertThat(sent.get("model").asString()).isEqualTo("fake-" + provider);
        if (provider.equals("fake-anthropic")) {
            assertThat(sent.get("system").toString()).contains("ACME");
            assertThat(sent.at("/tools/0/name").asString()).isEqualTo("builtin__calculator");
            assertThat(sent.get("messages").toString()).contains("tool_result");
        }
        else {
            assertThat(sent.at("/messages/0/role").asString()).isEqualTo("system");
            assertThat(sent.at("/tools/0/function/name").asString()).isEqualTo("builtin__calculator");
            assertThat(sent.get("messages").valueStream().map(m -> m.get("role").asString())).contains("tool");
        }
    }

    /**
     * More streams at once than Reactor's boundedElastic scheduler has threads by default (ten per core), on which
     * Spring AI reads Anthropic's streamed answers with a blocking iterator: each gets its first piece at once, none
     * waits for another to end.
     */
    @ParameterizedTest
    @ValueSource(strings = { "fake", "fake-anthropic", "fake-ollama" })
    void manyStreamsOfOneProviderEachGetTheirFirstPieceWithoutWaitingForOthers(String provider) throws Exception {
        Api owner = newTenant(api, "pm").owner();
        String slug = agent(owner, provider, null);
        int streams = 10 * Runtime.getRuntime().availableProcessors() + 20;
        String slowStory = "[[drip:300]] one two three four five six seven eight nine ten eleven twelve";
        List<java.util.concurrent.Future<Long>> firstPieces = new java.util.ArrayList<>();
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                firstPieces.add(clients.submit(() -> {
                    long sent = System.nanoTime();
                    long[] first = new long[1];
                    Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request(slug, slowStory))
                        .stream(line -> {
                            if (first[0] == 0 && line.equals("event: text.delta")) {
                                first[0] = System.nanoTime();
                            }
                        });
                    assertThat(stream.types()).as(stream.toString()).last().isEqualTo("run.completed");
                    return first[0] == 0 ? Long.MAX_VALUE : (first[0] - sent) / 1_000_000;
                }));
            }
        }
        List<Long> millis = new java.util.ArrayList<>();
        for (var firstPiece : firstPieces) {
            millis.add(firstPiece.get());
        }
        // A stream lasts about 3.6 s: one that waited for a thread would get its first piece after another's end. (All
        // forty starting at once on two cores of a JVM that has just started take a good 2 s to their first pieces.)
        assertThat(millis).as("ms to the first piece of each of %d streams", streams).allMatch(ms -> ms < 3500);
    }

    @ParameterizedTest
    @ValueSource(strings = { "fake-anthropic", "fake-ollama" })
    void aSyncToolUsingRunGetsWholeAnswersFromTheProvidersOwnApi(String provider) {
        Api owner = newTenant(api, "pw").owner();
        String slug = agent(owner, provider, null);

        JsonNode reply = owner.post("/api/v1/runs", request(slug, ADD)).json();
        assertThat(reply.at("/run/status").asString()).as(reply.toString()).isEqualTo("completed");
        assertThat(reply.at("/run/output").asString()).startsWith("fake model: the tool said").contains("5");
        assertThat(reply.get("steps").valueStream().map(step -> step.get("kind").asString() + ":"
                + step.get("outcome").asString())).containsExactly("model:tool_calls", "tool:completed", "model:answer");
        assertThat(reply.at("/steps/1/arguments/expression").asString()).isEqualTo("2+3");
        assertThat(reply.at("/run/tokensIn").asLong()).as("usage of both model calls").isEqualTo(40);
        assertThat(FakeModelServer.get().lastRequest().path("stream").asBoolean(false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "fake-anthropic", "fake-ollama" })
    void providerErrorsAreClassifiedAndOnlyTransientOnesRetried(String provider) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pe").owner();
        String slug = agent(owner, provider, null);
        int before = model.calls();
        JsonNode flaky = owner.post("/api/v1/runs", request(slug, "hello [[flaky:1]] " + java.util.UUID.randomUUID()))
            .json();
        assertThat(flaky.at("/run/status").asString()).as(flaky.toString()).isEqualTo("completed");
        assertThat(model.calls() - before).as("a 503 retried once").isEqualTo(2);

        // Failures that count against the breaker go to a connection of their own.
        String failing = agent(owner, provider + "-failing", null);
        JsonNode tooLong = owner.post("/api/v1/runs", request(failing, "hello [[status:400]]")).json();
        assertThat(tooLong.at("/run/errorCode").asString()).as(tooLong.toString()).isEqualTo("provider_context_too_long");
        before = model.calls();
        JsonNode limited = owner.post("/api/v1/runs", request(failing, "hello [[status:429]]")).json();
        assertThat(limited.at("/run/errorCode").asString()).as(limited.toString()).isEqualTo("provider_rate_limited");
        assertThat(model.calls() - before).as("rate limits are retried").isEqualTo(3);
    }

    @Test
    void aWrongAnthropicKeyIsAnAuthFailureAndNotRetried() {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pk").owner();
        String slug = agent(owner, "fake-anthropic-bad-key", null);
        int before = model.calls();
        JsonNode refused = owner.post("/api/v1/runs", request(slug, "hello")).json();
        assertThat(refused.at("/run/errorCode").asString()).as(refused.toString()).isEqualTo("provider_auth");
        assertThat(model.calls() - before).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "fake-anthropic", "fake-ollama" })
    void summariesUseTheProvidersPlainCall(String provider) {
        Api owner = newTenant(api, "ps").owner();
        String slug = agent(owner, provider, Map.of("windowTokens", 256, "summarize", true));
        String session = owner.post("/api/v1/sessions", Map.of("agent", slug)).json().get("id").asString();
        String words = "word ".repeat(150);
        for (String input : List.of("one " + words, "two " + words)) {
            JsonNode run = owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input", input,
                    "variables", Map.of("company", "ACME"))).json();
            assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("completed");
            if (input.startsWith("two")) {
                assertThat(run.at("/run/context/counting").asString()).isEqualTo("estimate");
                assertThat(run.at("/run/context/turnsSummarised").asInt()).as(run.toString()).isEqualTo(1);
            }
        }
        assertThat(owner.get("/api/v1/sessions/" + session).json().at("/session/summary").asString())
            .startsWith("fake summary");
    }

    // ---- Misbehaving providers. Each test uses connections of its own tenant, so the failures it provokes count
    // against breakers no other test uses.

    /** A connection of the tenant's own to the fake model server speaking {@code type}'s API. */
    private static String connection(Api owner, String type, int timeoutSeconds) {
        return connection(owner, type, timeoutSeconds, "");
    }

    /** One of several such connections: each has a breaker of its own. */
    private static String connection(Api owner, String type, int timeoutSeconds, String suffix) {
        owner.put("/api/v1/credentials/fake-key", Map.of("kind", "api_key", "fields",
                Map.of("value", FakeModelServer.API_KEY)));
        String name = "own-" + type + suffix;
        Map<String, Object> definition = new java.util.HashMap<>(Map.of("type", type, "baseUrl",
                type.equals("openai") ? FakeModelServer.get().baseUrl() : FakeModelServer.get().root(),
                "timeoutSeconds", timeoutSeconds));
        if (!type.equals("ollama")) {
            definition.put("credential", "credential:fake-key");
        }
        Api.Reply defined = owner.put("/api/v1/model-providers/" + name, definition);
        assertThat(defined.status()).as(defined.toString()).isEqualTo(200);
        return name;
    }

    private static JsonNode streamedRun(Api owner, Map<String, Object> request) {
        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream").json(request).stream();
        assertThat(stream.types()).as(stream.toString()).startsWith("run.started");
        String runId = stream.events().getFirst().data().get("runId").asString();
        return owner.get("/api/v1/runs/" + runId).json();
    }

    /**
     * A stream that ends before the provider said the answer was complete (OpenAI's finish_reason, Anthropic's
     * stop_reason, Ollama's done) fails the run; the part already streamed is not retried, and nothing of it goes
     * into the session.
     */
    @ParameterizedTest
    @ValueSource(strings = { "openai", "anthropic", "ollama" })
    void aStreamThatBreaksOffFailsTheRunAndLeavesTheSessionAsItWas(String type) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pb").owner();
        String slug = agent(owner, connection(owner, type, 30), null);
        String session = owner.post("/api/v1/sessions", Map.of("agent", slug)).json().get("id").asString();
        int before = model.calls();
        JsonNode run = streamedRun(owner, Map.of("agent", slug, "session", session, "input",
                "[[cut:3]] one two three four five six", "variables", Map.of("company", "ACME")));
        assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("failed");
        assertThat(run.at("/run/errorCode").asString()).as(run.toString()).isEqualTo("provider_stream_broken");
        assertThat(run.at("/run/output").isNull() || run.at("/run/output").isMissingNode()).isTrue();
        assertThat(model.calls() - before).as("pieces were streamed: not retried").isEqualTo(1);
        assertThat(owner.get("/api/v1/sessions/" + session).json().get("messages")).as("no history").isEmpty();
    }

    /** A 200 that is not the provider's event stream is a broken stream; nothing was streamed, so it is retried. */
    @ParameterizedTest
    @ValueSource(strings = { "openai", "anthropic", "ollama" })
    void aStreamedAnswerThatIsNotAStreamFailsTheRun(String type) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pg").owner();
        String slug = agent(owner, connection(owner, type, 30), null);
        int before = model.calls();
        JsonNode run = streamedRun(owner, request(slug, "hello [[garbage]]"));
        assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("failed");
        assertThat(run.at("/run/errorCode").asString()).as(run.toString()).isEqualTo("provider_stream_broken");
        assertThat(model.calls() - before).as("nothing was streamed: retried").isEqualTo(3);
    }

    /** A whole answer the runtime cannot read fails the run saying so in the user's terms. */
    @ParameterizedTest
    @ValueSource(strings = { "openai", "anthropic", "ollama" })
    void aWholeAnswerThatIsNotTheProvidersJsonIsABadResponse(String type) {
        Api owner = newTenant(api, "pj").owner();
        String slug = agent(owner, connection(owner, type, 30), null);
        JsonNode run = owner.post("/api/v1/runs", request(slug, "hello [[garbage]]")).json();
        assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("failed");
        assertThat(run.at("/run/errorCode").asString()).isEqualTo("provider_bad_response");
        assertThat(run.at("/run/error").asString()).doesNotContainPattern("\\b(class|java|org|com|io)\\.")
            .doesNotContain("Exception");
    }

    /**
     * The connection's timeout bounds the wait for a whole answer, and for a streamed one the wait for its first piece
     * and between two pieces: a long answer that keeps coming is not cut off.
     */
    @ParameterizedTest
    @ValueSource(strings = { "openai", "anthropic", "ollama" })
    void aConnectionsTimeoutBoundsWholeAnswersAndTheSilencesOfStreamedOnes(String type) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pt").owner();
        String slug = agent(owner, connection(owner, type, 1, "-whole"), null);

        long started = System.nanoTime();
        int before = model.calls();
        JsonNode whole = owner.post("/api/v1/runs", request(slug, "hello [[slow:2500]]")).json();
        assertThat(whole.at("/run/errorCode").asString()).as(whole.toString()).isEqualTo("provider_timeout");
        assertThat(whole.at("/run/status").asString()).isEqualTo("timed_out");
        // At least 2: a retry may find the server still busy with the request given up (and time out before it
        // is read).
        assertThat(model.calls() - before).as("timeouts are retried").isBetween(2, 3);
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(6000);

        slug = agent(owner, connection(owner, type, 1, "-silent"), null);
        JsonNode silent = streamedRun(owner, request(slug, "hello [[slow:2500]]"));
        assertThat(silent.at("/run/errorCode").asString()).as(silent.toString()).isEqualTo("provider_timeout");

        slug = agent(owner, connection(owner, type, 1, "-long"), null);
        JsonNode long_ = streamedRun(owner, request(slug, "[[drip:400]] one two three four five six"));
        assertThat(long_.at("/run/status").asString()).as("about 3.5 s of answer, a piece every 0.4 s: "
                + long_).isEqualTo("completed");
    }

    /** A provider's Retry-After (seconds or an HTTP-date) is waited for when it fits the run's time, else not. */
    @ParameterizedTest
    @ValueSource(strings = { "openai", "anthropic", "ollama" })
    void retryAfterIsHonouredWhenItFitsTheRunsTime(String type) {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "pr").owner();
        String slug = agent(owner, connection(owner, type, 30), null);
        for (String wait : List.of("[[retry-after:2]]", "[[retry-after-date:3]]")) {
            long started = System.nanoTime();
            int before = model.calls();
            JsonNode run = owner.post("/api/v1/runs", request(slug, "hello [[flaky:1]]" + wait + " "
                    + java.util.UUID.randomUUID())).json();
            assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("completed");
            assertThat(model.calls() - before).isEqualTo(2);
            assertThat((System.nanoTime() - started) / 1_000_000).as(wait + " waited for, in ms")
                .isGreaterThanOrEqualTo(1900);
        }

        slug = agent(owner, connection(owner, type, 30, "-limited"), null);
        long started = System.nanoTime();
        int before = model.calls();
        JsonNode limited = owner.post("/api/v1/runs", request(slug, "hello [[status:429]][[retry-after:600]]")).json();
        assertThat(limited.at("/run/errorCode").asString()).as(limited.toString()).isEqualTo("provider_rate_limited");
        assertThat(model.calls() - before).as("600 s do not fit in the run's 120: not retried").isEqualTo(1);
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(1500);
    }
}
