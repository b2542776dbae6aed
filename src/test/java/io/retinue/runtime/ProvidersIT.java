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
        // A stream lasts about 3.6 s: one that waited for a thread would get its first piece after another's end.
        assertThat(millis).as("ms to the first piece of each of %d streams", streams).allMatch(ms -> ms < 2500);
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
}
