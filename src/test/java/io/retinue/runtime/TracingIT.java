package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import io.retinue.testing.TraceReceiver;
import io.retinue.testing.TraceReceiver.ReceivedSpan;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Traces, as an OpenTelemetry collector receives them over OTLP: a tool-using run is one trace — the request, the
 * run's {@code invoke_agent} span, a {@code chat} span per model call and an {@code execute_tool} span per tool call,
 * with the GenAI semantic conventions' attributes — and the model provider, the HTTP tool and the webhook receiver are
 * sent that trace as {@code traceparent}.
 */
class TracingIT extends PlatformIT {

    private static final Map<String, String> VARIABLES = Map.of("company", "ACME");

    @Test
    void aToolUsingRunIsOneTraceOfGenAiSpans() {
        TestUpstream upstream = TestUpstream.shared();
        Api owner = newTenant(api, "tr").owner();
        owner.post("/api/v1/webhooks/secret", "").expect(200);
        String marker = "/hook/" + uniqueSlug("traced");
        owner.post("/api/v1/webhooks", Map.of("url", "http://localhost:" + upstream.port() + marker)).expect(201);
        String tool = "trace.echo";
        owner.post("/api/v1/tools", Map.of("name", tool, "description", "Echoes", "kind", "http", "inputSchema",
                Map.of("type", "object", "properties", Map.of("word", Map.of("type", "string"))), "http",
                Map.of("method", "POST", "url", "http://localhost:" + upstream.port() + "/echo", "body", "arguments")))
            .expect(201);
        String slug = publishAgentUsing(owner, "traced", tool);

        String secretWord = "confidential-" + uniqueSlug("w");
        JsonNode reply = owner.post("/api/v1/runs", Map.of("agent", slug, "variables", VARIABLES, "input",
                "use trace__echo with {\"word\":\"" + secretWord + "\"}")).expect(201).json();
        JsonNode run = reply.get("run");
        assertThat(run.get("status").asString()).as(reply.toString()).isEqualTo("completed");
        String traceId = run.get("traceId").asString();
        assertThat(traceId).matches("[0-9a-f]{32}");
        assertThat(owner.get("/api/v1/runs/" + run.get("id").asString()).json().at("/run/traceId").asString())
            .isEqualTo(traceId);

        List<ReceivedSpan> spans = await().atMost(Duration.ofSeconds(15)).until(
                () -> TraceReceiver.get().trace(traceId),
                received -> received.stream().filter(span -> span.name().startsWith("chat ")).count() == 2
                        && received.stream().anyMatch(span -> span.name().startsWith("invoke_agent ")));
        ReceivedSpan agent = one(spans, "invoke_agent " + slug);
        assertThat(agent.attributes()).containsEntry("gen_ai.operation.name", "invoke_agent")
            .containsEntry("gen_ai.agent.name", slug)
            .containsEntry("gen_ai.request.model", "demo-echo")
            .containsEntry("retinue.run.id", run.get("id").asString())
            .containsEntry("retinue.run.status", "completed")
            .containsEntry("gen_ai.usage.input_tokens", run.get("tokensIn").asString())
            .containsEntry("gen_ai.usage.output_tokens", run.get("tokensOut").asString());
        assertThat(agent.service()).isEqualTo("retinue");
        assertThat(spans).as("the request that started the run is the run's parent")
            .anyMatch(span -> span.spanId().equals(agent.parentId()) && span.kind().equals("SPAN_KIND_SERVER"));

        List<ReceivedSpan> chats = spans.stream().filter(span -> span.name().equals("chat demo-echo")).toList();
        JsonNode steps = reply.get("steps");
        for (ReceivedSpan chat : chats) {
            assertThat(chat.parentId()).isEqualTo(agent.spanId());
            assertThat(chat.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(chat.attributes()).containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.request.model", "demo-echo")
                .containsEntry("retinue.model.connection", "fake")
                .containsKeys("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens");
        }
        assertThat(chats.stream().map(chat -> chat.attribute("gen_ai.response.finish_reasons")))
            .containsExactlyInAnyOrder(List.of("tool_calls"), List.of("stop"));
        assertThat(chats.stream().mapToLong(chat -> Long.parseLong((String) chat.attribute("gen_ai.usage.input_tokens")))
            .sum()).isEqualTo(run.get("tokensIn").asLong());

        ReceivedSpan execution = one(spans, "execute_tool " + tool);
        assertThat(execution.parentId()).isEqualTo(agent.spanId());
        assertThat(execution.attributes()).containsEntry("gen_ai.operation.name", "execute_tool")
            .containsEntry("gen_ai.tool.name", tool)
            .containsEntry("retinue.tool.outcome", "completed")
            .containsKey("gen_ai.tool.call.id");
        assertThat(steps.findValuesAsString("kind")).contains("tool");

        assertThat(spans).as("no prompt, answer or argument is recorded")
            .allMatch(span -> span.attributes().values().stream().noneMatch(value -> value.toString()
                .contains(secretWord)));
        assertThat(FakeModelServer.get().lastTraceparent()).as("the model provider is sent the chat span")
            .matches("00-" + traceId + "-[0-9a-f]{16}-01");
        assertThat(chats).anyMatch(chat -> FakeModelServer.get().lastTraceparent().contains(chat.spanId()));
        await().atMost(Duration.ofSeconds(15)).until(() -> upstream.hooks().stream()
            .anyMatch(hook -> hook.path().equals(marker)));
        assertThat(upstream.traceparents()).as("the HTTP tool and the webhook receiver are sent the run's trace")
            .anyMatch(header -> header.equals("00-" + traceId + "-" + execution.spanId() + "-01"))
            .anyMatch(header -> header.startsWith("00-" + traceId + "-") && !header.contains(execution.spanId()));
    }

    /**
     * A tenant that opts in has its prompts, the model's answers and its tool calls' arguments and results on the spans
     * (as the GenAI conventions name them), with secret-looking values masked; the setting is its own to read and set.
     */
    @Test
    void aTenantThatOptsInHasItsContentOnTheSpansWithSecretsMasked() {
        TestUpstream upstream = TestUpstream.shared();
        Api owner = newTenant(api, "tc").owner();
        assertThat(owner.get("/api/v1/trace-settings").expect(200).json().get("captureContent").asBoolean()).isFalse();
        assertThat(owner.put("/api/v1/trace-settings", Map.of()).expect(422).json().at("/errors/0/pointer")
            .asString()).isEqualTo("/captureContent");
        JsonNode settings = owner.put("/api/v1/trace-settings", Map.of("captureContent", true)).expect(200).json();
        assertThat(settings.get("captureContent").asBoolean()).isTrue();
        assertThat(settings.get("updatedBy").asString()).startsWith("key:");
        assertThat(owner.put("/api/v1/trace-settings", Map.of("captureContent", true)).expect(200).json()
            .get("captureContent").asBoolean()).isTrue();
        JsonNode audited = owner.get("/api/v1/audit-events?action=trace_settings.changed").expect(200).json()
            .get("items");
        assertThat(audited).as("the change is audited, once").hasSize(1);
        assertThat(audited.get(0).get("actor").asString()).isEqualTo(settings.get("updatedBy").asString());
        assertThat(audited.get(0).get("detail").asString()).isEqualTo("captureContent=true");
        String tool = "trace.lookup";
        owner.post("/api/v1/tools", Map.of("name", tool, "description", "Looks a word up", "kind", "http",
                "inputSchema", Map.of("type", "object", "properties", Map.of("word", Map.of("type", "string"),
                        "password", Map.of("type", "string"))), "http", Map.of("method", "GET", "url",
                                "http://localhost:" + upstream.port() + "/echo", "query", Map.of("word", "{word}"))))
            .expect(201);
        String slug = publishAgentUsing(owner, "open", tool);

        String word = "lantern" + uniqueSlug("w").replace("-", "");
        String apiKey = "sk-proj-" + "Q".repeat(24);
        JsonNode run = owner.post("/api/v1/runs", Map.of("agent", slug, "variables", VARIABLES, "input",
                "my key is " + apiKey + " || use trace__lookup with {\"word\":\"" + word
                        + "\",\"password\":\"hunter2xyz\"}")).expect(201).json().get("run");
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("completed");
        List<ReceivedSpan> spans = await().atMost(Duration.ofSeconds(15)).until(
                () -> TraceReceiver.get().trace(run.get("traceId").asString()),
                received -> received.stream().filter(span -> span.name().startsWith("chat ")).count() == 2
                        && received.stream().anyMatch(span -> span.name().startsWith("execute_tool ")));

        assertThat(spans).as("no secret leaves").allMatch(span -> span.attributes().values().stream()
            .noneMatch(value -> value.toString().contains(apiKey) || value.toString().contains("hunter2xyz")));
        List<ReceivedSpan> chats = spans.stream().filter(span -> span.name().startsWith("chat ")).toList();
        ReceivedSpan asking = chats.stream().filter(chat -> chat.attribute("gen_ai.response.finish_reasons")
            .equals(List.of("tool_calls"))).findFirst().orElseThrow();
        JsonNode prompt = Api.JSON.readTree((String) asking.attribute("gen_ai.input.messages"));
        assertThat(prompt.findValuesAsString("role")).contains("system", "user");
        assertThat(prompt.toString()).contains("my key is ****").contains(word);
        JsonNode asked = Api.JSON.readTree((String) asking.attribute("gen_ai.output.messages"));
        assertThat(asked.at("/0/finish_reason").asString()).isEqualTo("tool_call");
        JsonNode call = asked.at("/0/parts/0");
        assertThat(call.get("type").asString()).isEqualTo("tool_call");
        assertThat(call.get("name").asString()).isEqualTo("trace__lookup");
        assertThat(call.at("/arguments/word").asString()).isEqualTo(word);
        assertThat(call.at("/arguments/password").asString()).isEqualTo("****");

        ReceivedSpan execution = one(spans, "execute_tool " + tool);
        assertThat(Api.JSON.readTree((String) execution.attribute("gen_ai.tool.call.arguments")))
            .isEqualTo(Api.JSON.readTree("{\"word\":\"" + word + "\",\"password\":\"****\"}"));
        assertThat((String) execution.attribute("gen_ai.tool.call.result")).contains("word=" + word);

        ReceivedSpan answering = chats.stream().filter(chat -> chat != asking).findFirst().orElseThrow();
        JsonNode followUp = Api.JSON.readTree((String) answering.attribute("gen_ai.input.messages"));
        assertThat(followUp.findValuesAsString("type")).contains("tool_call", "tool_call_response");
        assertThat(Api.JSON.readTree((String) answering.attribute("gen_ai.output.messages")).at("/0/parts/0/content")
            .asString()).as("the answer, with what it says of keys masked").isEqualTo(run.get("output").asString()
                .replace("\"apiKey\":\"null\"", "\"apiKey\":\"****\"")
                .replace("\"authorization\":\"null\"", "\"authorization\":\"****\""));
    }

    @Test
    void anAsyncRunContinuesTheTraceOfTheRequestThatQueuedIt() {
        Api owner = newTenant(api, "ta").owner();
        ObjectNode body = Agents.create(uniqueSlug("queued"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        String traceId = "5b8efff798038103d269b633813fc60c";
        JsonNode queued = owner.call("POST", "/api/v1/runs?mode=async")
            .header("traceparent", "00-" + traceId + "-eee19b7ec3c1b174-01")
            .json(Map.of("agent", slug, "input", "later", "variables", VARIABLES))
            .send()
            .expect(202)
            .json();
        assertThat(queued.at("/run/traceId").asString()).isEqualTo(traceId);
        List<ReceivedSpan> spans = await().atMost(Duration.ofSeconds(15)).until(
                () -> TraceReceiver.get().trace(traceId),
                received -> received.stream().anyMatch(span -> span.name().equals("invoke_agent " + slug)));
        ReceivedSpan agent = one(spans, "invoke_agent " + slug);
        assertThat(agent.attributes()).containsEntry("retinue.run.status", "completed");
        assertThat(spans).anyMatch(span -> span.name().equals("chat demo-echo")
                && span.parentId().equals(agent.spanId())
                && span.attributes().get("gen_ai.provider.name").equals("retinue.demo"));
    }

    /** An agent on the fake model that may use {@code tool}, published and allowed to call it: its slug. */
    private static String publishAgentUsing(Api owner, String prefix, String tool) {
        ObjectNode body = Agents.create(uniqueSlug(prefix), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", tool))));
        ((ObjectNode) config.get("model")).put("provider", "fake");
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect", "allow"))
            .expect(201);
        return slug;
    }

    private static ReceivedSpan one(List<ReceivedSpan> spans, String name) {
        List<ReceivedSpan> named = spans.stream().filter(span -> span.name().equals(name)).toList();
        assertThat(named).as("spans named %s in %s", name, spans.stream().map(ReceivedSpan::name).toList()).hasSize(1);
        return named.getFirst();
    }
}
