package io.retinue.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-compatible chat-completions server on loopback, for tests: it answers deterministically from the last
 * message. "use <tool> with <json>" makes it call that tool (when it was offered; several such wishes joined by " || "
 * make one answer with several calls); a tool result makes it report the
 * result; anything else is echoed. "[[status:NNN]]" answers that error status; "[[flaky:N]]" answers 503 the first N
 * times; "[[slow:MS]]" answers after MS milliseconds; "[[json:{…}]]" answers exactly that JSON; "[[repair-json:{…}]]"
 * answers prose first and that JSON once asked to repair its answer; "[[drip:MS]]" anywhere in the conversation makes a
 * streamed answer wait MS milliseconds before each piece. A request with "stream": true gets the answer as
 * server-sent chunks. Asked to summarise a conversation (the runtime's summary instructions), it answers
 * "fake summary of N lines". It checks the API key and remembers the last request.
 */
public final class FakeModelServer {

    public static final String API_KEY = "sk-fake-test-key";
    private static final Pattern USE = Pattern.compile("use (\\S+) with (\\{.*})", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\\[\\[status:(\\d{3})]]");
    private static final Pattern FLAKY = Pattern.compile("\\[\\[flaky:(\\d)]]");
    private static final Pattern SLOW = Pattern.compile("\\[\\[slow:(\\d+)]]");
    private static final Pattern JSON_ANSWER = Pattern.compile("\\[\\[json:(\\{.*?})]]");
    private static final Pattern DRIP = Pattern.compile("\\[\\[drip:(\\d+)]]");
    private static final Pattern REPAIR_JSON = Pattern.compile("\\[\\[repair-json:(\\{.*?})]]");
    private final java.util.Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private static FakeModelServer instance;

    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final java.util.List<String> summaryRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile JsonNode lastRequest;

    private FakeModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::complete);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
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

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public JsonNode lastRequest() {
        return lastRequest;
    }

    /** The transcripts the server was asked to summarise, oldest first. */
    public java.util.List<String> summaryRequests() {
        return java.util.List.copyOf(summaryRequests);
    }

    public int calls() {
        return calls.get();
    }

    private void complete(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        if (!("Bearer " + API_KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
        lastRequest = request;
        JsonNode last = request.get("messages").get(request.get("messages").size() - 1);
        Matcher slow = SLOW.matcher(last.path("content").toString());
        if (slow.find()) {
            try {
                Thread.sleep(Long.parseLong(slow.group(1)));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        Matcher status = STATUS.matcher(last.path("content").toString());
        if (status.find()) {
            send(exchange, Integer.parseInt(status.group(1)), "{\"error\":{\"message\":\"" + (status.group(1).equals("400")
                    ? "This model's maximum context length is 8192 tokens" : "failure on demand")
                    + "\",\"type\":\"test\"}}");
            return;
        }
        Matcher flaky = FLAKY.matcher(last.path("content").toString());
        if (flaky.find() && failures.merge(last.path("content").toString(), 1, Integer::sum) <= Integer.parseInt(flaky.group(1))) {
            send(exchange, 503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
            return;
        }
        ObjectNode message = Api.JSON.createObjectNode().put("role", "assistant");
        String finish = "stop";
        String conversation = request.get("messages").toString();
        Matcher json = JSON_ANSWER.matcher(conversation);
        Matcher repairJson = REPAIR_JSON.matcher(conversation);
        String instructions = request.at("/messages/0/content").asString("");
        if (instructions.startsWith("You keep the memory of a conversation")) {
            // Asked to summarise: answer briefly, the way an instruction-following model would.
            String transcript = last.path("content").asString("");
            summaryRequests.add(transcript);
            message.put("content", "fake summary of " + transcript.lines().count() + " lines"
                    + (transcript.startsWith("Summary so far:") ? ", building on the previous summary" : ""));
        }
        else if (json.find()) {
            message.put("content", json.group(1).replace("\\\"", "\""));
        }
        else if (repairJson.find()) {
            message.put("content", last.path("content").asString("").contains("required JSON Schema")
                    ? repairJson.group(1).replace("\\\"", "\"") : "Sure! Here it is in prose.");
        }
        else if ("tool".equals(last.path("role").asString())) {
            message.put("content", "fake model: the tool said " + last.path("content").asString());
        }
        else {
            String text = last.path("content").isString() ? last.path("content").asString() : last.path("content").toString();
            ArrayNode toolCalls = Api.JSON.createArrayNode();
            for (String wish : text.split(" \\|\\| ")) {
                Matcher use = USE.matcher(wish);
                if (use.find() && request.path("tools").valueStream()
                    .anyMatch(tool -> tool.at("/function/name").asString().equals(use.group(1)))) {
                    ObjectNode call = toolCalls.addObject().put("id", "call_" + calls.get() + "_" + toolCalls.size())
                        .put("type", "function");
                    call.putObject("function").put("name", use.group(1)).put("arguments", use.group(2));
                }
            }
            if (!toolCalls.isEmpty()) {
                message.set("tool_calls", toolCalls);
                message.putNull("content");
                finish = "tool_calls";
            }
            else {
                message.put("content", "fake model: " + text);
            }
        }
        ObjectNode response = Api.JSON.createObjectNode()
            .put("id", "chatcmpl-" + calls.get())
            .put("object", "chat.completion")
            .put("created", System.currentTimeMillis() / 1000)
            .put("model", request.path("model").asString("fake"));
        ObjectNode choice = response.putArray("choices").addObject().put("index", 0).put("finish_reason", finish);
        choice.set("message", message);
        response.putObject("usage").put("prompt_tokens", 20).put("completion_tokens", 7).put("total_tokens", 27);
        if (request.path("stream").asBoolean(false)) {
            Matcher drip = DRIP.matcher(conversation);
            stream(exchange, response, message, finish, request.at("/stream_options/include_usage").asBoolean(false),
                    drip.find() ? Long.parseLong(drip.group(1)) : 0);
            return;
        }
        send(exchange, 200, Api.JSON.writeValueAsString(response));
    }

    /**
     * The same answer as server-sent chunks, the way OpenAI streams: the role, the text a word at a time, each tool
     * call as a head (id and name) and its arguments in two pieces, the finish reason, the usage when asked, [DONE].
     */
    private void stream(HttpExchange exchange, ObjectNode whole, ObjectNode message, String finish, boolean usage,
            long dripMillis) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            chunk(out, whole, Api.JSON.createObjectNode().put("role", "assistant").put("content", ""), null, 0);
            String text = message.path("content").asString("");
            for (String word : text.split("(?<=\\s)")) {
                if (!word.isEmpty()) {
                    chunk(out, whole, Api.JSON.createObjectNode().put("content", word), null, dripMillis);
                }
            }
            int index = 0;
            for (JsonNode call : message.path("tool_calls")) {
                ObjectNode head = Api.JSON.createObjectNode();
                ObjectNode headCall = head.putArray("tool_calls").addObject().put("index", index)
                    .put("id", call.get("id").asString()).put("type", "function");
                headCall.putObject("function").put("name", call.at("/function/name").asString()).put("arguments", "");
                chunk(out, whole, head, null, dripMillis);
                String arguments = call.at("/function/arguments").asString();
                for (String piece : new String[] { arguments.substring(0, arguments.length() / 2),
                        arguments.substring(arguments.length() / 2) }) {
                    ObjectNode part = Api.JSON.createObjectNode();
                    part.putArray("tool_calls").addObject().put("index", index).putObject("function").put("arguments", piece);
                    chunk(out, whole, part, null, dripMillis);
                }
                index++;
            }
            chunk(out, whole, Api.JSON.createObjectNode(), finish, 0);
            if (usage) {
                ObjectNode last = whole.deepCopy();
                last.put("object", "chat.completion.chunk").putArray("choices");
                write(out, "data: " + Api.JSON.writeValueAsString(last) + "\n\n");
            }
            write(out, "data: [DONE]\n\n");
        }
        catch (IOException gone) {
            // The client stopped reading (a cancelled run): nothing more to send.
        }
    }

    private static void chunk(OutputStream out, ObjectNode whole, ObjectNode delta, String finish, long dripMillis)
            throws IOException {
        if (dripMillis > 0) {
            try {
                Thread.sleep(dripMillis);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException(ex);
            }
        }
        ObjectNode chunk = Api.JSON.createObjectNode()
            .put("id", whole.get("id").asString())
            .put("object", "chat.completion.chunk")
            .put("created", whole.get("created").asLong())
            .put("model", whole.get("model").asString());
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        }
        else {
            choice.put("finish_reason", finish);
        }
        write(out, "data: " + Api.JSON.writeValueAsString(chunk) + "\n\n");
    }

    private static void write(OutputStream out, String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
