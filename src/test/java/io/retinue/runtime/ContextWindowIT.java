package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The context budget: earlier turns kept, dropped or summarised, oversized tool results trimmed, all recorded. */
class ContextWindowIT extends PlatformIT {

    private static final String LONG = "word ".repeat(100).strip();

    private String agent(Api as, Map<String, Object> context, String tool) {
        ObjectNode body = Agents.create(uniqueSlug("ctx"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        ((ObjectNode) config.get("model")).put("provider", "fake");
        config.set("context", Api.JSON.valueToTree(context));
        config.set("tools", Api.JSON.valueToTree(tool == null ? List.of() : List.of(Map.of("name", tool))));
        String slug = body.get("slug").asString();
        assertThat(as.post("/api/v1/agents", body).status()).as(body.toString()).isEqualTo(201);
        assertThat(as.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
        return slug;
    }

    private JsonNode turn(Api as, String agent, String session, String input) {
        Api.Reply reply = as.post("/api/v1/runs", Map.of("agent", agent, "session", session, "input", input,
                "variables", Map.of("company", "ACME")));
        assertThat(reply.json().at("/run/status").asString()).as(reply.toString()).isEqualTo("completed");
        return reply.json();
    }

    private String session(Api as, String agent) {
        return as.post("/api/v1/sessions", Map.of("agent", agent)).json().get("id").asString();
    }

    @Test
    void turnsThatNoLongerFitAreSummarisedAndTheSummaryIsKeptAndBuiltOn() {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "cs").owner();
        String slug = agent(owner, Map.of("windowTokens", 256, "summarize", true), null);
        String session = session(owner, slug);

        JsonNode first = turn(owner, slug, session, "one " + LONG);
        assertThat(first.at("/run/context").isNull() || first.at("/run/context").isMissingNode()).as("it all fit").isTrue();

        int summariesBefore = model.summaryRequests().size();
        JsonNode second = turn(owner, slug, session, "two " + LONG);
        JsonNode report = second.at("/run/context");
        assertThat(report.get("budget").asInt()).isEqualTo(256);
        assertThat(report.get("counting").asString()).isEqualTo("o200k_base");
        assertThat(report.get("turnsSummarised").asInt()).isEqualTo(1);
        assertThat(report.get("tokensBefore").asInt()).isGreaterThan(256);
        assertThat(report.get("tokensAfter").asInt()).isLessThanOrEqualTo(256);
        // A window of 256 leaves a summarising call room for one of these messages: two calls, the second building
        // on the first.
        assertThat(second.get("steps").valueStream().map(s -> s.get("outcome").asString()))
            .as("the summary is a recorded model call").containsExactly("summary", "summary", "answer");
        assertThat(model.summaryRequests()).hasSize(summariesBefore + 2);
        assertThat(model.summaryRequests().get(summariesBefore)).contains("User: one word");
        assertThat(model.summaryRequests().getLast()).startsWith("Summary so far:\nfake summary")
            .contains("Assistant: fake model: one");
        JsonNode sent = model.lastRequest().get("messages");
        assertThat(sent.get(0).get("content").asString()).contains("Summary of the earlier conversation:\nfake summary");
        assertThat(sent).as("system and the new input only").hasSize(2);
        JsonNode stored = owner.get("/api/v1/sessions/" + session).json();
        assertThat(stored.at("/session/summary").asString()).startsWith("fake summary");
        assertThat(stored.at("/session/summaryThrough").asInt()).isEqualTo(2);
        assertThat(stored.get("messages")).as("the session keeps every message").hasSize(4);

        int summariesThen = model.summaryRequests().size();
        JsonNode third = turn(owner, slug, session, "three " + LONG);
        assertThat(third.at("/run/context/turnsSummarised").asInt()).isEqualTo(1);
        List<String> built = model.summaryRequests().subList(summariesThen, model.summaryRequests().size());
        assertThat(built).as("the kept summary is built on, not redone")
            .allSatisfy(request -> assertThat(request).startsWith("Summary so far:\nfake summary")
                .doesNotContain("User: one word"));
        assertThat(built.getFirst()).contains("User: two word");
        assertThat(owner.get("/api/v1/sessions/" + session).json().at("/session/summaryThrough").asInt()).isEqualTo(4);
    }

    @Test
    void summarisingCallsAreHeldToTheAgentsWindowAndGetMaxTokens() {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "cw").owner();
        String slug = agent(owner, Map.of("windowTokens", 700, "summarize", true), null);
        String session = session(owner, slug);
        turn(owner, slug, session, "one " + "word ".repeat(1400).strip());

        int before = model.summaryBodies().size();
        JsonNode second = turn(owner, slug, session, "two");
        assertThat(second.at("/run/context/turnsSummarised").asInt()).isEqualTo(1);
        List<JsonNode> calls = model.summaryBodies().subList(before, model.summaryBodies().size());
        assertThat(calls).as("about 2,800 tokens of transcript take more than one call of 700").hasSizeGreaterThan(1);
        Encoding o200k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        for (JsonNode call : calls) {
            JsonNode maxTokens = call.has("max_tokens") ? call.get("max_tokens") : call.get("max_completion_tokens");
            assertThat(maxTokens).as("the answer is bounded: " + call).isNotNull();
            assertThat(maxTokens.asInt()).as("an eighth of the window").isEqualTo(700 / 8);
            int prompt = call.get("messages").valueStream()
                .mapToInt(message -> 4 + o200k.countTokensOrdinary(message.get("content").asString()))
                .sum();
            assertThat(prompt + maxTokens.asInt()).as("prompt and answer fit the window").isLessThanOrEqualTo(700);
        }
        assertThat(model.summaryRequests().get(before)).contains("User: one word").contains("…[trimmed]");
        assertThat(model.summaryRequests().getLast()).as("later calls build on the summary so far")
            .startsWith("Summary so far:\nfake summary").contains("Assistant: fake model: one word");
        assertThat(second.get("steps").valueStream().filter(step -> step.get("outcome").asString().equals("summary")))
            .as("each call is a recorded step").hasSize(calls.size());
    }

    @Test
    void keepTurnsDropsOlderTurnsEvenWithinBudgetAndShortTurnsReuseTheSummary() {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "ck").owner();
        String slug = agent(owner, Map.of("keepTurns", 1), null);
        String session = session(owner, slug);
        turn(owner, slug, session, "first");
        turn(owner, slug, session, "second");
        JsonNode third = turn(owner, slug, session, "third");
        assertThat(third.at("/run/context/turnsDropped").asInt()).isEqualTo(1);
        assertThat(third.at("/run/context/turnsKept").asInt()).isEqualTo(1);
        assertThat(third.at("/run/context/budget").isNull()).isTrue();
        assertThat(model.lastRequest().get("messages").valueStream().map(m -> m.get("content").asString()))
            .containsExactly("You help customers of ACME.", "second", "fake model: second", "third");
    }

    @Test
    void oversizedToolResultsAreTrimmedWhenThePromptIsOverBudget() {
        FakeModelServer model = FakeModelServer.get();
        Api owner = newTenant(api, "ct").owner();
        String tool = "ctx" + uniqueSlug("t").replace("-", "") + ".big";
        assertThat(owner.post("/api/v1/tools", Map.of("name", tool, "description", "A big answer", "kind", "http",
                "inputSchema", Map.of("type", "object"), "http", Map.of("method", "GET", "url",
                        "http://localhost:" + TestUpstream.shared().port() + "/big"))).status()).isEqualTo(201);
        String slug = agent(owner, Map.of("windowTokens", 512, "maxToolResultTokens", 64), tool);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect", "allow"));

        Api.Reply reply = owner.post("/api/v1/runs", Map.of("agent", slug, "input",
                "use " + tool.replace(".", "__") + " with {}", "variables", Map.of("company", "ACME")));
        JsonNode run = reply.json().get("run");
        assertThat(run.get("status").asString()).as(reply.toString()).isEqualTo("completed");
        assertThat(run.at("/context/toolResultsTrimmed").asInt()).isEqualTo(1);
        assertThat(run.at("/context/overBudget").asBoolean()).isFalse();
        String sentResult = model.lastRequest().get("messages").valueStream()
            .filter(m -> m.get("role").asString().equals("tool")).findFirst().orElseThrow().get("content").asString();
        assertThat(sentResult).contains("…[trimmed to 64 of").hasSizeLessThan(600);
        assertThat(owner.get("/api/v1/tool-executions?tool=" + tool).json().at("/items/0/resultBytes").asInt())
            .as("the execution record keeps the whole result").isGreaterThan(5000);
        assertThat(owner.call("GET", "/api/v1/runs/" + run.get("id").asString() + "/events").stream().types())
            .contains("context.compacted");
    }
}
