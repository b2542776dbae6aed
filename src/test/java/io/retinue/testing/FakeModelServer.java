package io.retinue.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model server on loopback, for tests, speaking three providers' APIs: OpenAI's chat completions
 * ({@code /v1/chat/completions}), Anthropic's Messages ({@code /v1/messages}) and Ollama's chat ({@code /api/chat}),
 * each plain or streamed the way that provider streams (server-sent chunks, server-sent events, NDJSON).
 * <p>
 * It answers deterministically from the last message. "use <tool> with <json>" makes it call that tool (when it was
 * offered; several such wishes joined by " || " make one answer with several calls); a tool result makes it report
 * the result; anything else is echoed. "[[status:NNN]]" answers that error status; "[[flaky:N]]" answers 503 the first
 * N times; "[[slow:MS]]" answers after MS milliseconds; "[[json:{…}]]" answers exactly that JSON;
 * "[[repair-json:{…}]]" answers prose first and that JSON once asked to repair its answer; "[[drip:MS]]" anywhere in
 * the conversation makes a streamed answer wait MS milliseconds before each piece (and a whole one as long as all its
 * pieces would). Broken answers, as probes of a provider that misbehaves find them: "[[cut:N]]" ends a streamed
 * answer cleanly after N pieces of text without the provider's end (no finish reason, message_stop or done);
 * "[[garbage]]" answers 200 with an HTML page, neither the provider's JSON nor an event stream;
 * "[[retry-after:S]]" adds {@code Retry-After: S} (seconds) to an error answer, "[[retry-after-date:S]]" the same as
 * an HTTP-date S seconds ahead. Asked to summarise a conversation
 * (the runtime's summary instructions), it answers "fake summary of N lines". It checks the API key (OpenAI, Anthropic)
 * and remembers the last request.
 */
public final class FakeModelServer {

    public static final String API_KEY = "sk-fake-test-key";
    /** How the runtime's summarising requests begin. */
    private static final String SUMMARY_INSTRUCTIONS = "You keep the memory of a conversation";
    private static final Pattern USE = Pattern.compile("use (\\S+) with (\\{.*})", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\\[\\[status:(\\d{3})]]");
    private static final Pattern FLAKY = Pattern.compile("\\[\\[flaky:(\\d)]]");
    private static final Pattern SLOW = Pattern.compile("\\[\\[slow:(\\d+)]]");
    private static final Pattern JSON_ANSWER = Pattern.compile("\\[\\[json:(\\{.*?})]]");
    private static final Pattern DRIP = Pattern.compile("\\[\\[drip:(\\d+)]]");
    private static final Pattern REPAIR_JSON = Pattern.compile("\\[\\[repair-json:(\\{.*?})]]");
    private static final Pattern CUT = Pattern.compile("\\[\\[cut:(\\d+)]]");
    private static final Pattern RETRY_AFTER = Pattern.compile("\\[\\[retry-after(-date)?:(\\d+)]]");
    private static final String GARBAGE = "[[garbage]]";
    private static final int PROMPT_TOKENS = 20;
    private static final int COMPLETION_TOKENS = 7;
    private static FakeModelServer instance;

    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final List<String> summaryRequests = new CopyOnWriteArrayList<>();
    private final List<JsonNode> summaryBodies = new CopyOnWriteArrayList<>();
    private volatile JsonNode lastRequest;
    private volatile String lastTraceparent;

    /** A request in any of the three dialects, reduced to what the answer depends on. */
    private record Ask(String system, String lastRole, String lastText, String conversation, Set<String> tools,
            String model, boolean stream) {
    }

    /** One tool call of an answer. */
    private record Call(String id, String name, String arguments) {
    }

    /** What to answer: an error status with its message, or text and tool calls. */
    private record Answer(int status, String error, String text, List<Call> calls, long dripMillis, int cut,
            boolean garbage, String retryAfter) {

        Answer(int status, String error, String text, List<Call> calls, long dripMillis) {
            this(status, error, text, calls, dripMillis, -1, false, null);
        }

        boolean failed() {
            return status != 200;
        }

        /** Whether a stream ends (without its end) before the piece of text numbered {@code piece}. */
        boolean cutBefore(int piece) {
            return cut >= 0 && piece >= cut;
        }

        Answer brokenAs(Ask ask) {
            Matcher cutAt = CUT.matcher(ask.lastText());
            Matcher wait = RETRY_AFTER.matcher(ask.lastText());
            String after = !wait.find() ? null : wait.group(1) == null ? wait.group(2)
                    : java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(
                            java.time.ZoneOffset.UTC).plusSeconds(Long.parseLong(wait.group(2))));
            return new Answer(status, error, text, calls, dripMillis, cutAt.find() ? Integer.parseInt(cutAt.group(1))
                    : -1, ask.lastText().contains(GARBAGE), after);
        }
    }

    /**
     * How a benchmark wants answers paced: the time to the first token, the time between tokens, and how many words an
     * echo answers with (instead of echoing the input). Tests use none.
     */
    public record Pace(long firstTokenMillis, long tokenMillis, int words) {
    }

    private final Pace pace;

    private FakeModelServer() throws IOException {
        this(0, null);
    }

    private FakeModelServer(int port, Pace pace) throws IOException {
        this.pace = pace;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        server.createContext("/v1/chat/completions", this::openAi);
        server.createContext("/v1/messages", this::anthropic);
        server.createContext("/api/chat", this::ollama);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public static synchronized FakeModelServer get() {
        if (instance == null) {
            try {
                instance = new FakeModelServer();
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return instance;
    }

    /**
     * The server as a process of its own, for benchmarks: {@code port firstTokenMillis tokenMillis words} (port 0:
     * any); prints {@code fake-model-server listening on <port>} once it listens.
     */
    public static void main(String[] args) throws IOException {
        // Like a real provider, send each streamed chunk at once (the JDK server otherwise lets Nagle hold them back).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // And keep every client's connection: the JDK server closes idle ones beyond 200, which a client then finds
        // closed under it.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Pace pace = new Pace(args.length > 1 ? Long.parseLong(args[1]) : 0, args.length > 2 ? Long.parseLong(args[2]) : 0,
                args.length > 3 ? Integer.parseInt(args[3]) : 20);
        FakeModelServer server = new FakeModelServer(port, pace);
        System.out.println("fake-model-server listening on " + server.server.getAddress().getPort());
        System.out.flush();
    }

    /** The base URL of the OpenAI dialect ({@code …/v1}). */
    public String baseUrl() {
        return root() + "/v1";
    }

    /** The base URL of the Anthropic and Ollama dialects (their clients add {@code /v1/messages}, {@code /api/chat}). */
    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public JsonNode lastRequest() {
        return lastRequest;
    }

    /** The trace context the last OpenAI-dialect request carried, or null. */
    public String lastTraceparent() {
        return lastTraceparent;
    }

    /** The transcripts the server was asked to summarise, oldest first. */
    public List<String> summaryRequests() {
        return List.copyOf(summaryRequests);
    }

    /** The whole summarising requests the server got in the OpenAI dialect (messages, max_tokens …), oldest first. */
    public List<JsonNode> summaryBodies() {
        return List.copyOf(summaryBodies);
    }

    public int calls() {
        return calls.get();
    }

    /** The answer to a request, whichever dialect it came in, with the ways it is to break. */
    private Answer decide(Ask ask) {
        return answer(ask).brokenAs(ask);
    }

    private Answer answer(Ask ask) {
        Matcher slow = SLOW.matcher(ask.lastText());
        if (slow.find()) {
            pause(Long.parseLong(slow.group(1)));
        }
        Matcher status = STATUS.matcher(ask.lastText());
        if (status.find()) {
            return new Answer(Integer.parseInt(status.group(1)), status.group(1).equals("400")
                    ? "This model's maximum context length is 8192 tokens" : "failure on demand", null, List.of(), 0);
        }
        Matcher flaky = FLAKY.matcher(ask.lastText());
        if (flaky.find() && failures.merge(ask.lastText(), 1, Integer::sum) <= Integer.parseInt(flaky.group(1))) {
            return new Answer(503, "overloaded", null, List.of(), 0);
        }
        Matcher drip = DRIP.matcher(ask.conversation());
        long dripMillis = drip.find() ? Long.parseLong(drip.group(1)) : 0;
        Matcher json = JSON_ANSWER.matcher(ask.conversation());
        Matcher repairJson = REPAIR_JSON.matcher(ask.conversation());
        String text;
        List<Call> toolCalls = new ArrayList<>();
        if (ask.system().startsWith(SUMMARY_INSTRUCTIONS)) {
            // Asked to summarise: answer briefly, the way an instruction-following model would.
            summaryRequests.add(ask.lastText());
            text = "fake summary of " + ask.lastText().lines().count() + " lines"
                    + (ask.lastText().startsWith("Summary so far:") ? ", building on the previous summary" : "");
        }
        else if (json.find()) {
            text = json.group(1).replace("\\\"", "\"");
        }
        else if (repairJson.find()) {
            text = ask.lastText().contains("required JSON Schema") ? repairJson.group(1).replace("\\\"", "\"")
                    : "Sure! Here it is in prose.";
        }
        else if (ask.lastRole().equals("tool")) {
            text = "fake model: the tool said " + ask.lastText();
        }
        else {
            for (String wish : ask.lastText().split(" \\|\\| ")) {
                Matcher use = USE.matcher(wish);
                if (use.find() && ask.tools().contains(use.group(1))) {
                    toolCalls.add(new Call("call_" + calls.get() + "_" + toolCalls.size(), use.group(1), use.group(2)));
                }
            }
            text = toolCalls.isEmpty() ? "fake model: " + (pace == null ? ask.lastText() : "lorem ".repeat(pace.words()).strip())
                    : "";
        }
        if (pace != null) {
            pause(pace.firstTokenMillis());
            dripMillis = Math.max(dripMillis, pace.tokenMillis());
        }
        return new Answer(200, null, text, toolCalls, dripMillis);
    }

    // ---- OpenAI chat completions

    private void openAi(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        if (!("Bearer " + API_KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
        lastRequest = request;
        lastTraceparent = exchange.getRequestHeaders().getFirst("traceparent");
        Ask ask = chatAsk(request, false);
        if (ask.system().startsWith(SUMMARY_INSTRUCTIONS)) {
            summaryBodies.add(request);
        }
        Answer answer = decide(ask);
        if (answer.failed()) {
            send(exchange, answer.status(), "{\"error\":{\"message\":\"" + answer.error() + "\",\"type\":\"test\"}}",
                    answer.retryAfter());
            return;
        }
        if (answer.garbage()) {
            garbage(exchange);
            return;
        }
        String id = "chatcmpl-" + calls.get();
        long created = Instant.now().getEpochSecond();
        String finish = answer.calls().isEmpty() ? "stop" : "tool_calls";
        if (!ask.stream()) {
            generated(answer);
            ObjectNode response = Api.JSON.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", created).put("model", ask.model());
            ObjectNode choice = response.putArray("choices").addObject().put("index", 0).put("finish_reason", finish);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (answer.calls().isEmpty()) {
                message.put("content", answer.text());
            }
            else {
                message.putNull("content");
                for (Call call : answer.calls()) {
                    ObjectNode toolCall = message.withArray("tool_calls").addObject().put("id", call.id())
                        .put("type", "function");
                    toolCall.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                }
            }
            response.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
                .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
            send(exchange, 200, Api.JSON.writeValueAsString(response));
            return;
        }
        // The way OpenAI streams: the role, the text a word at a time, each tool call as a head (id and name) and its
        // arguments in two pieces, the finish reason, the usage when asked, [DONE].
        boolean usage = request.at("/stream_options/include_usage").asBoolean(false);
        streamed(exchange, "text/event-stream", out -> {
            ObjectNode head = Api.JSON.createObjectNode().put("role", "assistant").put("content", "");
            write(out, sse(null, openAiChunk(id, created, ask.model(), head, null)));
            int pieces = 0;
            for (String word : words(answer.text())) {
                if (answer.cutBefore(pieces++)) {
                    return;
                }
                drip(answer);
                write(out, sse(null, openAiChunk(id, created, ask.model(),
                        Api.JSON.createObjectNode().put("content", word), null)));
            }
            int index = 0;
            for (Call call : answer.calls()) {
                drip(answer);
                ObjectNode start = Api.JSON.createObjectNode();
                ObjectNode startCall = start.putArray("tool_calls").addObject().put("index", index).put("id", call.id())
                    .put("type", "function");
                startCall.putObject("function").put("name", call.name()).put("arguments", "");
                write(out, sse(null, openAiChunk(id, created, ask.model(), start, null)));
                for (String piece : halves(call.arguments())) {
                    ObjectNode part = Api.JSON.createObjectNode();
                    part.putArray("tool_calls").addObject().put("index", index).putObject("function")
                        .put("arguments", piece);
                    write(out, sse(null, openAiChunk(id, created, ask.model(), part, null)));
                }
                index++;
            }
            write(out, sse(null, openAiChunk(id, created, ask.model(), Api.JSON.createObjectNode(), finish)));
            if (usage) {
                ObjectNode counts = Api.JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                    .put("created", created).put("model", ask.model());
                counts.putArray("choices");
                counts.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
                    .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
                write(out, sse(null, counts));
            }
            write(out, "data: [DONE]\n\n");
        });
    }

    private static ObjectNode openAiChunk(String id, long created, String model, ObjectNode delta, String finish) {
        ObjectNode chunk = Api.JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
            .put("created", created).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        }
        else {
            choice.put("finish_reason", finish);
        }
        return chunk;
    }

    // ---- Anthropic Messages

    private void anthropic(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        if (!API_KEY.equals(exchange.getRequestHeaders().getFirst("x-api-key"))) {
            send(exchange, 401, anthropicError("authentication_error", "invalid x-api-key"));
            return;
        }
        JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
        lastRequest = request;
        JsonNode messages = request.get("messages");
        JsonNode last = messages.get(messages.size() - 1);
        JsonNode toolResult = last.path("content").isArray() ? last.path("content").valueStream()
            .filter(block -> block.path("type").asString().equals("tool_result")).reduce((a, b) -> b).orElse(null) : null;
        Ask ask = new Ask(text(request.path("system")), toolResult != null ? "tool" : last.path("role").asString(),
                toolResult != null ? text(toolResult.path("content")) : text(last.path("content")), messages.toString(),
                request.path("tools").valueStream().map(tool -> tool.path("name").asString()).collect(Collectors.toSet()),
                request.path("model").asString("fake"), request.path("stream").asBoolean(false));
        Answer answer = decide(ask);
        if (answer.failed()) {
            String type = switch (answer.status()) {
                case 429 -> "rate_limit_error";
                case 529, 503 -> "overloaded_error";
                case 401 -> "authentication_error";
                default -> answer.status() >= 500 ? "api_error" : "invalid_request_error";
            };
            send(exchange, answer.status(), anthropicError(type, answer.error()), answer.retryAfter());
            return;
        }
        if (answer.garbage()) {
            garbage(exchange);
            return;
        }
        String id = "msg_" + calls.get();
        String stop = answer.calls().isEmpty() ? "end_turn" : "tool_use";
        if (!ask.stream()) {
            generated(answer);
            ObjectNode message = anthropicMessage(id, ask.model());
            if (!answer.text().isEmpty()) {
                message.withArray("content").addObject().put("type", "text").put("text", answer.text());
            }
            for (Call call : answer.calls()) {
                message.withArray("content").addObject().put("type", "tool_use").put("id", call.id())
                    .put("name", call.name()).set("input", Api.JSON.readTree(call.arguments()));
            }
            message.put("stop_reason", stop);
            message.putObject("usage").put("input_tokens", PROMPT_TOKENS).put("output_tokens", COMPLETION_TOKENS);
            send(exchange, 200, Api.JSON.writeValueAsString(message));
            return;
        }
        // The way Anthropic streams: message_start, a content block per text and tool use (text deltas a word at a
        // time, tool input as partial JSON in two pieces), message_delta with the stop reason and usage, message_stop.
        streamed(exchange, "text/event-stream", out -> {
            ObjectNode start = Api.JSON.createObjectNode().put("type", "message_start");
            ObjectNode message = anthropicMessage(id, ask.model());
            message.putNull("stop_reason");
            message.putObject("usage").put("input_tokens", PROMPT_TOKENS).put("output_tokens", 1);
            start.set("message", message);
            write(out, sse("message_start", start));
            int index = 0;
            if (!answer.text().isEmpty()) {
                ObjectNode block = Api.JSON.createObjectNode().put("type", "content_block_start").put("index", index);
                block.putObject("content_block").put("type", "text").put("text", "");
                write(out, sse("content_block_start", block));
                int pieces = 0;
                for (String word : words(answer.text())) {
                    if (answer.cutBefore(pieces++)) {
                        return;
                    }
                    drip(answer);
                    ObjectNode delta = Api.JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                    delta.putObject("delta").put("type", "text_delta").put("text", word);
                    write(out, sse("content_block_delta", delta));
                }
                write(out, sse("content_block_stop", Api.JSON.createObjectNode().put("type", "content_block_stop")
                    .put("index", index++)));
            }
            for (Call call : answer.calls()) {
                drip(answer);
                ObjectNode block = Api.JSON.createObjectNode().put("type", "content_block_start").put("index", index);
                block.putObject("content_block").put("type", "tool_use").put("id", call.id()).put("name", call.name())
                    .putObject("input");
                write(out, sse("content_block_start", block));
                for (String piece : halves(call.arguments())) {
                    ObjectNode delta = Api.JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                    delta.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
                    write(out, sse("content_block_delta", delta));
                }
                write(out, sse("content_block_stop", Api.JSON.createObjectNode().put("type", "content_block_stop")
                    .put("index", index++)));
            }
            ObjectNode end = Api.JSON.createObjectNode().put("type", "message_delta");
            end.putObject("delta").put("stop_reason", stop).putNull("stop_sequence");
            end.putObject("usage").put("output_tokens", COMPLETION_TOKENS);
            write(out, sse("message_delta", end));
            write(out, sse("message_stop", Api.JSON.createObjectNode().put("type", "message_stop")));
        });
    }

    private static ObjectNode anthropicMessage(String id, String model) {
        ObjectNode message = Api.JSON.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
            .put("model", model);
        message.putArray("content");
        message.putNull("stop_sequence");
        return message;
    }

    private static String anthropicError(String type, String message) {
        ObjectNode error = Api.JSON.createObjectNode().put("type", "error");
        error.putObject("error").put("type", type).put("message", message);
        return Api.JSON.writeValueAsString(error);
    }

    // ---- Ollama chat

    private void ollama(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
        lastRequest = request;
        // Ollama streams unless told not to.
        Ask ask = chatAsk(request, true);
        Answer answer = decide(ask);
        if (answer.failed()) {
            send(exchange, answer.status(), Api.JSON.writeValueAsString(Map.of("error", answer.error())),
                    answer.retryAfter());
            return;
        }
        if (answer.garbage()) {
            garbage(exchange);
            return;
        }
        if (!ask.stream()) {
            generated(answer);
            ObjectNode response = ollamaChunk(ask.model(), answer.text(), answer.calls());
            ollamaDone(response);
            send(exchange, 200, Api.JSON.writeValueAsString(response));
            return;
        }
        // The way Ollama streams: one JSON object per line, the text a word at a time, the tool calls whole, then a
        // last object with done and the counts.
        streamed(exchange, "application/x-ndjson", out -> {
            int pieces = 0;
            for (String word : words(answer.text())) {
                if (answer.cutBefore(pieces++)) {
                    return;
                }
                drip(answer);
                write(out, Api.JSON.writeValueAsString(ollamaChunk(ask.model(), word, List.of())) + "\n");
            }
            if (!answer.calls().isEmpty()) {
                drip(answer);
                write(out, Api.JSON.writeValueAsString(ollamaChunk(ask.model(), "", answer.calls())) + "\n");
            }
            ObjectNode done = ollamaChunk(ask.model(), "", List.of());
            ollamaDone(done);
            write(out, Api.JSON.writeValueAsString(done) + "\n");
        });
    }

    private static ObjectNode ollamaChunk(String model, String text, List<Call> toolCalls) {
        ObjectNode chunk = Api.JSON.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
        ObjectNode message = chunk.putObject("message").put("role", "assistant").put("content", text);
        for (Call call : toolCalls) {
            ObjectNode function = message.withArray("tool_calls").addObject().put("id", call.id()).putObject("function");
            function.put("name", call.name()).set("arguments", Api.JSON.readTree(call.arguments()));
        }
        chunk.put("done", false);
        return chunk;
    }

    private static void ollamaDone(ObjectNode chunk) {
        chunk.put("done", true).put("done_reason", "stop").put("total_duration", 1000).put("prompt_eval_count",
                PROMPT_TOKENS).put("eval_count", COMPLETION_TOKENS);
    }

    // ---- shared

    /** A request in OpenAI's chat shape (Ollama's too): messages with the system prompt first, tools as functions. */
    private static Ask chatAsk(JsonNode request, boolean streamUnlessSaid) {
        JsonNode messages = request.get("messages");
        JsonNode last = messages.get(messages.size() - 1);
        return new Ask(messages.get(0).path("role").asString().equals("system") ? text(messages.get(0).path("content"))
                : "", last.path("role").asString(), text(last.path("content")), messages.toString(),
                request.path("tools").valueStream().map(tool -> tool.at("/function/name").asString())
                    .collect(Collectors.toSet()),
                request.path("model").asString("fake"), request.path("stream").asBoolean(streamUnlessSaid));
    }

    /** The text of a content field: a string, or the text blocks of an array. */
    private static String text(JsonNode content) {
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            return content.valueStream().map(block -> block.path("text").asString(""))
                .collect(Collectors.joining());
        }
        return content.isMissingNode() || content.isNull() ? "" : content.toString();
    }

    private static List<String> words(String text) {
        return text == null ? List.of() : List.of(text.split("(?<=\\s)")).stream().filter(w -> !w.isEmpty()).toList();
    }

    private static String[] halves(String text) {
        return new String[] { text.substring(0, text.length() / 2), text.substring(text.length() / 2) };
    }

    private static String sse(String event, JsonNode data) {
        return (event == null ? "" : "event: " + event + "\n") + "data: " + Api.JSON.writeValueAsString(data) + "\n\n";
    }

    /** A whole answer takes as long to generate as its stream takes to drip: it is sent once it all would have been. */
    private static void generated(Answer answer) {
        pause(answer.dripMillis() * (words(answer.text()).size() + answer.calls().size()));
    }

    private static void drip(Answer answer) throws IOException {
        pause(answer.dripMillis());
        if (Thread.currentThread().isInterrupted()) {
            throw new IOException("interrupted while dripping an answer");
        }
    }

    private static void pause(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes a streamed body; a client that stops reading (a cancelled run) just ends it. */
    private interface Body {

        void write(OutputStream out) throws IOException;
    }

    private static void streamed(HttpExchange exchange, String contentType, Body body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            body.write(out);
        }
        catch (IOException gone) {
            // The client went away: nothing more to send.
        }
    }

    private static void write(OutputStream out, String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A 200 that is neither the provider's JSON nor its stream: a proxy's or a captive portal's page. */
    private static void garbage(HttpExchange exchange) throws IOException {
        send(exchange, 200, "<html><body><h1>It works!</h1></body></html>", null, "text/html");
    }

    private static void send(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        send(exchange, status, body, retryAfter, "application/json");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, body, null, "application/json");
    }

    private static void send(HttpExchange exchange, int status, String body, String retryAfter, String contentType)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
