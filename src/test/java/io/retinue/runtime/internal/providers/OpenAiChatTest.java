package io.retinue.runtime.internal.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import com.sun.net.httpserver.HttpServer;

import io.retinue.testing.FakeModelServer;
import io.retinue.testing.TcpProxy;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible chat model over real HTTP: against the test tree's fake provider, and hand-written streams. */
class OpenAiChatTest {

    private static final CloseableHttpClient HTTP = OpenAiChat.client();

    @AfterAll
    static void close() throws IOException {
        HTTP.close();
    }

    private static OpenAiChat chat(String baseUrl) {
        return new OpenAiChat(HTTP, baseUrl, FakeModelServer.API_KEY, Duration.ofSeconds(10));
    }

    private static ToolCallback tool(String name) {
        ToolDefinition definition = ToolDefinition.builder()
            .name(name)
            .description("adds two numbers")
            .inputSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"}}}")
            .build();
        return new ToolCallback() {

            @Override
            public ToolDefinition getToolDefinition() {
                return definition;
            }

            @Override
            public String call(String arguments) {
                throw new UnsupportedOperationException("the runtime calls tools itself");
            }
        };
    }

    private static Prompt prompt(String input, Integer maxTokens, ToolCallback... tools) {
        return new Prompt(List.of(new SystemMessage("be brief"), new UserMessage(input)), ToolCallingChatOptions.builder()
            .model("fake-model")
            .temperature(0.5)
            .maxTokens(maxTokens)
            .toolCallbacks(List.of(tools))
            .build());
    }

    @Test
    void writesTheConversationAndToolsInOpenAisShape() {
        AssistantMessage asked = AssistantMessage.builder()
            .content("")
            .toolCalls(List.of(new AssistantMessage.ToolCall("call_1", "function", "add", "{\"a\":1}")))
            .build();
        Prompt prompt = new Prompt(List.of(new SystemMessage("be brief"), new UserMessage("add \"one\""), asked,
                ToolResponseMessage.builder()
                    .responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "add", "2")))
                    .build()),
                ToolCallingChatOptions.builder().model("m").maxTokens(7).toolCallbacks(List.of(tool("add"))).build());
        JsonNode body = io.retinue.testing.Api.JSON.readTree(OpenAiChat.body(prompt, true));
        assertThat(body.path("model").asString()).isEqualTo("m");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(7);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(body.path("temperature").isMissingNode()).as("not said, not sent").isTrue();
        JsonNode messages = body.path("messages");
        assertThat(messages.size()).isEqualTo(4);
        assertThat(messages.path(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"be brief\"}");
        assertThat(messages.path(1).path("content").asString()).isEqualTo("add \"one\"");
        assertThat(messages.path(2).path("content").isNull()).isTrue();
        assertThat(messages.path(2).at("/tool_calls/0/function/arguments").asString()).isEqualTo("{\"a\":1}");
        assertThat(messages.path(3).toString())
            .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"2\"}");
        assertThat(body.at("/tools/0/function/parameters/properties/a/type").asString())
            .as("the schema as an object, not a string").isEqualTo("number");
    }

    @Test
    void readsAWholeAnswerWithItsToolCallsFinishReasonAndUsage() {
        OpenAiChat chat = chat(FakeModelServer.get().baseUrl());
        ChatResponse text = chat.call(prompt("hello there", 50));
        assertThat(text.getResult().getOutput().getText()).isEqualTo("fake model: hello there");
        assertThat(text.getResult().getMetadata().getFinishReason()).isEqualTo("stop");
        assertThat(text.getMetadata().getUsage().getPromptTokens()).isPositive();
        assertThat(FakeModelServer.get().lastRequest().path("max_tokens").asInt()).isEqualTo(50);
        assertThat(FakeModelServer.get().lastRequest().path("stream").asBoolean(true)).isFalse();

        ChatResponse calls = chat.call(prompt("use add with {\"a\":1}", null, tool("add")));
        assertThat(calls.getResult().getOutput().getToolCalls())
            .extracting(AssistantMessage.ToolCall::name, AssistantMessage.ToolCall::arguments)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("add", "{\"a\":1}"));
        assertThat(calls.getResult().getMetadata().getFinishReason()).isEqualTo("tool_calls");
    }

    @Test
    void putsAStreamedAnswersToolCallPiecesTogetherAndGivesThemWithHowItEnded() {
        OpenAiChat chat = chat(FakeModelServer.get().baseUrl());
        List<ChatResponse> chunks = chat.stream(prompt("use add with {\"a\":12345}", null, tool("add")))
            .collectList().block();
        List<ChatResponse> ended = chunks.stream()
            .filter(chunk -> !chunk.getResults().isEmpty() && chunk.getResult().getMetadata().getFinishReason() != null)
            .toList();
        assertThat(ended).hasSize(1);
        assertThat(ended.getFirst().getResult().getOutput().getToolCalls())
            .singleElement()
            .satisfies(call -> {
                assertThat(call.id()).startsWith("call_");
                assertThat(call.name()).isEqualTo("add");
                assertThat(call.arguments()).as("its two pieces put together").isEqualTo("{\"a\":12345}");
            });
        assertThat(chunks.getLast().getMetadata().getUsage().getCompletionTokens()).as("the usage comes last").isPositive();

        StringBuilder text = new StringBuilder();
        chat.stream(prompt("several words to stream", null))
            .toStream()
            .flatMap(chunk -> chunk.getResults().stream())
            .forEach(generation -> text.append(generation.getOutput().getText()));
        assertThat(text).hasToString("fake model: several words to stream");
    }

    @Test
    void aRefusalCarriesItsStatusTheProvidersMessageAndTheWaitItAskedFor() {
        OpenAiChat chat = chat(FakeModelServer.get().baseUrl());
        assertThatThrownBy(() -> chat.call(prompt("[[status:429]] [[retry-after:7]] hi", null)))
            .isInstanceOfSatisfying(OpenAiChat.Refused.class, refused -> {
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.getMessage()).isEqualTo("failure on demand");
                assertThat(refused.retryAfter()).isEqualTo("7");
                ProviderFailure failure = ProviderFailure.of(refused);
                assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.RATE_LIMITED);
                assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            });
        assertThatThrownBy(() -> chat.stream(prompt("[[status:400]] hi", null)).blockLast())
            .satisfies(failed -> assertThat(ProviderFailure.of(failed).kind())
                .isEqualTo(ProviderFailure.Kind.CONTEXT_TOO_LONG));
        OpenAiChat wrongKey = new OpenAiChat(HTTP, FakeModelServer.get().baseUrl(), "sk-wrong", Duration.ofSeconds(5));
        assertThatThrownBy(() -> wrongKey.call(prompt("hi", null)))
            .satisfies(failed -> assertThat(ProviderFailure.of(failed).message()).isEqualTo("HTTP 401: Incorrect API key"));
    }

    @Test
    void aRefusalInAnotherShapeIsSaidAsItCameButNotWhole() {
        assertThat(OpenAiChat.errorMessage("{\"error\":\"model not loaded\"}")).isEqualTo("model not loaded");
        assertThat(OpenAiChat.errorMessage("  Bad Gateway\n")).isEqualTo("Bad Gateway");
        assertThat(OpenAiChat.errorMessage("")).isEqualTo("(no message)");
        assertThat(OpenAiChat.errorMessage("<html>" + "x".repeat(5000) + "</html>")).hasSize(501).endsWith("…");
    }

    /** A TCP handshake (and, against a real provider, a TLS one) per model call would cost more than the call. */
    @Test
    void keepsItsConnectionForTheNextCallsWholeOrStreamed() {
        int port = Integer.parseInt(FakeModelServer.get().root().substring("http://127.0.0.1:".length()));
        try (TcpProxy proxy = new TcpProxy(port).start()) {
            OpenAiChat chat = chat("http://127.0.0.1:" + proxy.port() + "/v1");
            for (int i = 0; i < 3; i++) {
                assertThat(chat.call(prompt("whole " + i, null)).getResult().getOutput().getText()).endsWith("whole " + i);
                assertThat(chat.stream(prompt("streamed " + i, null)).collectList().block()).isNotEmpty();
            }
            assertThat(proxy.connections()).isEqualTo(1);
        }
    }

    /** The answer is whole at [DONE]: a server that then holds the body open costs its connection, not the answer. */
    @Test
    void anAnswerEndedByDoneIsWholeEvenIfTheServerHoldsTheBodyOpen() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"done\"},\"finish_reason\":\"stop\"}]}"
                        + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(3000);
            }
            catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            OpenAiChat chat = new OpenAiChat(HTTP, "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                    FakeModelServer.API_KEY, Duration.ofMillis(500));
            List<ChatResponse> chunks = chat.stream(prompt("hi", null)).collectList().block();
            assertThat(chunks).extracting(chunk -> chunk.getResult().getOutput().getText()).containsExactly("done");
        }
        finally {
            server.stop(0);
        }
    }

    /** Server-sent events as servers write them: CRLF or CR line ends, comments, data over several lines, no end. */
    @Test
    void readsEventsWhicheverWayTheirLinesEnd() throws IOException {
        String stream = ": keep-alive\r\n\r\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one \"}}]}\r\n\r\n"
                + "event: message\rdata: {\"choices\":[{\"index\":0,\r"
                + "data: \"delta\":{\"content\":\"two\"}}]}\r\r"
                + "data:{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(stream.getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        try {
            List<ChatResponse> chunks = chat("http://127.0.0.1:" + server.getAddress().getPort() + "/v1")
                .stream(prompt("hi", null)).collectList().block();
            assertThat(chunks).extracting(chunk -> chunk.getResult().getOutput().getText())
                .containsExactly("one ", "two", "");
            assertThat(chunks.getLast().getResult().getMetadata().getFinishReason()).isEqualTo("stop");
        }
        finally {
            server.stop(0);
        }
    }
}
