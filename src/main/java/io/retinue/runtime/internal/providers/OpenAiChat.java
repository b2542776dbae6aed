package io.retinue.runtime.internal.providers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ProxySelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import reactor.core.publisher.Flux;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.retinue.shared.outbound.OutboundCalls;

/**
 * An OpenAI-compatible server's chat completions as a Spring AI {@link ChatModel}: the request written with
 * streaming JSON straight into its body, the answer (or each chunk of a streamed one) read as one small tree, over
 * a pooled HTTP client that exchanges on the calling (virtual) thread. The vendor SDK this replaces built two object
 * graphs per call (its own and Spring AI's), ran its stream reader on a thread of its own, and cost about a fifth of
 * the CPU and memory of a one-step run. A streamed answer's tool calls come in pieces: they are put together and
 * given with the chunk that says how the answer ended, as a whole answer gives them.
 */
final class OpenAiChat implements ChatModel {

    /** Bounds what a provider can make this process hold: a whole answer, or one event of a stream. */
    private static final int LARGEST_ANSWER = 32 * 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(LARGEST_ANSWER).build())
            .build())
        .build();

    /** The most of an error answer read for its message, and the most of a message that is not OpenAI's shape. */
    private static final int ERROR_BODY = 8 * 1024;
    private static final int ERROR_MESSAGE = 500;

    private static final Duration CONNECT = Duration.ofSeconds(10);

    private final CloseableHttpClient http;
    private final String completions;
    private final String authorization;
    private final RequestConfig requestConfig;

    /** {@code timeout}: the longest wait for the next bytes of an answer (the whole call is bounded by the caller). */
    OpenAiChat(CloseableHttpClient http, String baseUrl, String key, Duration timeout) {
        this.http = http;
        this.completions = (baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl)
                + "/chat/completions";
        this.authorization = key == null ? null : "Bearer " + key;
        this.requestConfig = RequestConfig.custom()
            .setResponseTimeout(Timeout.of(timeout))
            .setConnectionRequestTimeout(Timeout.of(CONNECT))
            .build();
    }

    /**
     * The client every OpenAI-compatible connection shares: connections kept alive per server for as many calls as are
     * in flight (the runtime's own bulkheads bound them), checked after two idle seconds (a server may have closed
     * one meanwhile), the system's proxy settings, and nothing that would change what is sent or answered: no
     * retries (the runtime's, which know whether part of an answer was reported), redirects, cookies or compression.
     */
    static CloseableHttpClient client() {
        return HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(Integer.MAX_VALUE)
                .setMaxConnPerRoute(Integer.MAX_VALUE)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(CONNECT))
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .setTimeToLive(TimeValue.ofMinutes(5))
                    .build())
                .build())
            .setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()))
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableContentCompression()
            .disableCookieManagement()
            .disableAuthCaching()
            .setUserAgent("Retinue")
            .build();
    }

    /** An answer other than 2xx: its status, what the provider said, and the wait it asked for (Retry-After). */
    static final class Refused extends RuntimeException {

        private final int status;
        private final String retryAfter;

        Refused(int status, String message, String retryAfter) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        int status() {
            return status;
        }

        String retryAfter() {
            return retryAfter;
        }
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return ToolCallingChatOptions.builder().build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        try (CloseableHttpResponse response = send(prompt, false)) {
            JsonNode answer = JSON.readTree(response.getEntity().getContent());
            // Read to its end, so that the connection is kept for the next call.
            EntityUtils.consume(response.getEntity());
            JsonNode choice = answer.path("choices").path(0);
            JsonNode message = choice.path("message");
            List<AssistantMessage.ToolCall> calls = new ArrayList<>();
            for (JsonNode call : message.path("tool_calls")) {
                calls.add(new AssistantMessage.ToolCall(call.path("id").asString(""), "function",
                        call.at("/function/name").asString(""), argumentsOf(call.at("/function/arguments"))));
            }
            return new ChatResponse(List.of(generation(stringOrNull(message.path("content")), calls,
                    stringOrNull(choice.path("finish_reason")))), metadata(answer));
        }
        catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        // Read on the subscriber's thread (the run's call runs on a virtual thread of its own); a cancel (the run's
        // silence timeout, or the run stopped) closes the response, which drops its connection.
        return Flux.using(() -> new Chunks(send(prompt, true)), chunks -> Flux.fromIterable(() -> chunks),
                Chunks::close);
    }

    private CloseableHttpResponse send(Prompt prompt, boolean stream) throws IOException {
        HttpPost post = new HttpPost(completions);
        post.setConfig(requestConfig);
        if (authorization != null) {
            post.setHeader("Authorization", authorization);
        }
        post.setHeader("Accept", stream ? "text/event-stream" : "application/json");
        String traceparent = OutboundCalls.traceparent();
        if (traceparent != null) {
            post.setHeader("traceparent", traceparent);
        }
        post.setEntity(new ByteArrayEntity(body(prompt, stream), ContentType.APPLICATION_JSON));
        CloseableHttpResponse response = http.execute(post);
        int status = response.getCode();
        if (status < 200 || status >= 300) {
            try (response) {
                throw refused(status, response);
            }
        }
        if (response.getEntity() == null) {
            response.close();
            throw new ProviderFailure.Unreadable("the provider answered " + status + " with nothing");
        }
        return response;
    }

    private static Refused refused(int status, CloseableHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        String body = "";
        if (entity != null) {
            try (InputStream in = entity.getContent()) {
                body = new String(in.readNBytes(ERROR_BODY), StandardCharsets.UTF_8);
            }
        }
        Header retryAfter = response.getFirstHeader("Retry-After");
        return new Refused(status, errorMessage(body), retryAfter == null ? null : retryAfter.getValue());
    }

    /**
     * OpenAI's {"error": {"message": …}}, else the body as it came (servers of other kinds say it otherwise); at most
     * 500 characters of it: a proxy's error page is not worth keeping whole in every failed run's record.
     */
    static String errorMessage(String body) {
        String said = body.strip();
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String message = error.isString() ? error.asString() : stringOrNull(error.path("message"));
            if (message != null && !message.isBlank()) {
                said = message.strip();
            }
        }
        catch (RuntimeException notJson) {
            // Said as it came.
        }
        if (said.isEmpty()) {
            return "(no message)";
        }
        return said.length() > ERROR_MESSAGE ? said.substring(0, ERROR_MESSAGE) + "…" : said;
    }

    /** The request, written straight into its bytes. */
    static byte[] body(Prompt prompt, boolean stream) {
        ToolCallingChatOptions options = prompt.getOptions() instanceof ToolCallingChatOptions toolOptions
                ? toolOptions : null;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringProperty("model", prompt.getOptions() == null || prompt.getOptions().getModel() == null
                    ? "gpt-4o-mini" : prompt.getOptions().getModel());
            json.writeName("messages");
            json.writeStartArray();
            for (Message message : prompt.getInstructions()) {
                writeMessage(json, message);
            }
            json.writeEndArray();
            if (prompt.getOptions() != null && prompt.getOptions().getTemperature() != null) {
                json.writeNumberProperty("temperature", prompt.getOptions().getTemperature());
            }
            if (prompt.getOptions() != null && prompt.getOptions().getMaxTokens() != null) {
                json.writeNumberProperty("max_tokens", prompt.getOptions().getMaxTokens());
            }
            List<ToolCallback> tools = options == null || options.getToolCallbacks() == null ? List.of()
                    : options.getToolCallbacks();
            if (!tools.isEmpty()) {
                json.writeName("tools");
                json.writeStartArray();
                for (ToolCallback tool : tools) {
                    ToolDefinition definition = tool.getToolDefinition();
                    json.writeStartObject();
                    json.writeStringProperty("type", "function");
                    json.writeName("function");
                    json.writeStartObject();
                    json.writeStringProperty("name", definition.name());
                    if (definition.description() != null) {
                        json.writeStringProperty("description", definition.description());
                    }
                    json.writeName("parameters");
                    // The tool's schema as it was registered (validated JSON), not parsed again for every call.
                    json.writeRawValue(definition.inputSchema() == null || definition.inputSchema().isBlank()
                            ? "{\"type\":\"object\",\"properties\":{}}" : definition.inputSchema());
                    json.writeEndObject();
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeBooleanProperty("stream", stream);
            if (stream) {
                // The usage comes as a last chunk only when asked for.
                json.writeName("stream_options");
                json.writeStartObject();
                json.writeBooleanProperty("include_usage", true);
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private static void writeMessage(JsonGenerator json, Message message) {
        switch (message) {
            case ToolResponseMessage results -> {
                // One message per result, each answering its call.
                for (ToolResponseMessage.ToolResponse result : results.getResponses()) {
                    json.writeStartObject();
                    json.writeStringProperty("role", "tool");
                    json.writeStringProperty("tool_call_id", result.id());
                    json.writeStringProperty("content", result.responseData());
                    json.writeEndObject();
                }
            }
            case AssistantMessage answer -> {
                json.writeStartObject();
                json.writeStringProperty("role", "assistant");
                if (answer.getText() == null || answer.getText().isEmpty() && answer.hasToolCalls()) {
                    json.writeNullProperty("content");
                }
                else {
                    json.writeStringProperty("content", answer.getText());
                }
                if (answer.hasToolCalls()) {
                    json.writeName("tool_calls");
                    json.writeStartArray();
                    for (AssistantMessage.ToolCall call : answer.getToolCalls()) {
                        json.writeStartObject();
                        json.writeStringProperty("id", call.id());
                        json.writeStringProperty("type", "function");
                        json.writeName("function");
                        json.writeStartObject();
                        json.writeStringProperty("name", call.name());
                        json.writeStringProperty("arguments", call.arguments());
                        json.writeEndObject();
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            }
            default -> {
                json.writeStartObject();
                json.writeStringProperty("role", switch (message.getMessageType()) {
                    case SYSTEM -> "system";
                    default -> "user";
                });
                json.writeStringProperty("content", message.getText() == null ? "" : message.getText());
                json.writeEndObject();
            }
        }
    }

    private static Generation generation(String text, List<AssistantMessage.ToolCall> calls, String finishReason) {
        AssistantMessage message = AssistantMessage.builder().content(text == null ? "" : text).toolCalls(calls).build();
        return finishReason == null ? new Generation(message)
                : new Generation(message, ChatGenerationMetadata.builder().finishReason(finishReason).build());
    }

    private static ChatResponseMetadata metadata(JsonNode answer) {
        ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder();
        if (answer.path("id").isString()) {
            metadata.id(answer.path("id").asString());
        }
        if (answer.path("model").isString()) {
            metadata.model(answer.path("model").asString());
        }
        JsonNode usage = answer.path("usage");
        if (usage.isObject()) {
            metadata.usage(new DefaultUsage(usage.path("prompt_tokens").asInt(0),
                    usage.path("completion_tokens").asInt(0), usage.path("total_tokens").asInt(0)));
        }
        return metadata.build();
    }

    /** A call's arguments: a JSON text as OpenAI sends them; some compatible servers send the object itself. */
    private static String argumentsOf(JsonNode arguments) {
        return arguments.isString() ? arguments.asString()
                : arguments.isMissingNode() || arguments.isNull() ? "{}" : arguments.toString();
    }

    private static String stringOrNull(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }

    /**
     * A streamed answer as its chunks, read as they are asked for: each server-sent event's data is one chunk
     * (comments and other fields are skipped), until {@code [DONE]} or the end of the body.
     */
    private static final class Chunks implements Iterator<ChatResponse>, AutoCloseable {

        private final CloseableHttpResponse response;
        private final SseLines lines;
        /** The tool calls so far, by index: their pieces come in several chunks. */
        private final TreeMap<Integer, PartialCall> calls = new TreeMap<>();
        private ChatResponse next;
        private boolean done;

        Chunks(CloseableHttpResponse response) throws IOException {
            this.response = response;
            this.lines = new SseLines(response.getEntity().getContent());
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = read();
                }
                catch (IOException failed) {
                    throw new UncheckedIOException(failed);
                }
            }
            return next != null;
        }

        @Override
        public ChatResponse next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ChatResponse chunk = next;
            next = null;
            return chunk;
        }

        private ChatResponse read() throws IOException {
            StringBuilder data = null;
            String line;
            while ((line = lines.next()) != null) {
                if (line.isEmpty()) {
                    if (data == null) {
                        continue;
                    }
                    String event = data.toString();
                    data = null;
                    if (event.equals("[DONE]")) {
                        done = true;
                        keepConnection();
                        return null;
                    }
                    return chunk(JSON.readTree(event));
                }
                if (line.startsWith("data:")) {
                    String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                    if (data == null) {
                        data = new StringBuilder(value);
                    }
                    else {
                        data.append('\n').append(value);
                    }
                }
            }
            done = true;
            // A last event without the blank line after it still counts.
            return data == null || data.toString().equals("[DONE]") ? null : chunk(JSON.readTree(data.toString()));
        }

        private ChatResponse chunk(JsonNode chunk) {
            if (chunk.has("error")) {
                throw new ProviderFailure.Incomplete("the provider's stream reported an error: "
                        + errorMessage(chunk.toString()));
            }
            List<Generation> generations = new ArrayList<>(1);
            JsonNode choice = chunk.path("choices").path(0);
            if (choice.isObject()) {
                JsonNode delta = choice.path("delta");
                int position = 0;
                for (JsonNode piece : delta.path("tool_calls")) {
                    int index = piece.path("index").asInt(position++);
                    calls.computeIfAbsent(index, ignored -> new PartialCall()).add(piece);
                }
                String finish = stringOrNull(choice.path("finish_reason"));
                List<AssistantMessage.ToolCall> finished = List.of();
                if (finish != null && !calls.isEmpty()) {
                    finished = calls.values().stream().map(PartialCall::toolCall).toList();
                    calls.clear();
                }
                generations.add(generation(stringOrNull(delta.path("content")), finished, finish));
            }
            return new ChatResponse(generations, metadata(chunk));
        }

        /**
         * Reads on to the body's end, so that the connection is kept for the next call. The answer is whole already: a
         * server that holds the body open past {@code [DONE]} costs it its connection, not the answer.
         */
        private void keepConnection() {
            try {
                EntityUtils.consume(response.getEntity());
            }
            catch (IOException cutOff) {
                // Dropped when the response is closed.
            }
        }

        /** Lets go of the answer: kept for the next call when it was read to its end, else its connection dropped. */
        @Override
        public void close() {
            try {
                response.close();
            }
            catch (IOException ignored) {
                // The connection is dropped either way.
            }
        }
    }

    /** A tool call being put together from a stream's pieces: the first says its id and name, the rest its arguments. */
    private static final class PartialCall {

        private String id;
        private String name;
        private final StringBuilder arguments = new StringBuilder();

        void add(JsonNode piece) {
            if (piece.path("id").isString() && !piece.path("id").asString().isEmpty()) {
                id = piece.path("id").asString();
            }
            JsonNode function = piece.path("function");
            if (function.path("name").isString() && !function.path("name").asString().isEmpty()) {
                name = function.path("name").asString();
            }
            JsonNode more = function.path("arguments");
            arguments.append(more.isString() ? more.asString() : more.isObject() ? more.toString() : "");
        }

        AssistantMessage.ToolCall toolCall() {
            return new AssistantMessage.ToolCall(id == null ? "" : id, "function", name == null ? "" : name,
                    arguments.isEmpty() ? "{}" : arguments.toString());
        }
    }

    /**
     * The lines of a server-sent event stream (ended by LF, CRLF or CR), read through a buffer of its own: a line
     * longer than any answer would be is refused rather than held.
     */
    static final class SseLines {

        private final InputStream in;
        private final byte[] buffer = new byte[2048];
        private int position;
        private int limit;
        private byte[] line = new byte[256];
        private boolean afterCarriageReturn;

        SseLines(InputStream in) {
            this.in = in;
        }

        /** The next line, or null at the end of the stream (a last line without its end included). */
        String next() throws IOException {
            int length = 0;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer, 0, buffer.length);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any ? new String(line, 0, length, StandardCharsets.UTF_8) : null;
                    }
                }
                byte b = buffer[position++];
                if (afterCarriageReturn) {
                    afterCarriageReturn = false;
                    if (b == '\n') {
                        continue;
                    }
                }
                if (b == '\n' || b == '\r') {
                    afterCarriageReturn = b == '\r';
                    return new String(line, 0, length, StandardCharsets.UTF_8);
                }
                any = true;
                if (length == line.length) {
                    if (length >= LARGEST_ANSWER) {
                        throw new ProviderFailure.Unreadable("the provider's stream sent a line longer than "
                                + LARGEST_ANSWER / (1024 * 1024) + " MiB");
                    }
                    line = java.util.Arrays.copyOf(line, Math.min(LARGEST_ANSWER, length * 2));
                }
                line[length++] = b;
            }
        }
    }
}
