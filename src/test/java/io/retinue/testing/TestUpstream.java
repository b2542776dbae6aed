package io.retinue.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback that answers as a test tells it: {@code /ok}, {@code /fail} (500),
 * {@code /status/NNN} (that status, with {@code Retry-After} from {@code ?retryAfter=}), {@code /slow}
 * (after 2 s) and {@code /flaky} (500 until it has failed {@code flakyFailures} times); it receives webhooks on
 * {@code /hook…} ({@code /hook-failing} answers 500, {@code /hook-slow…} after 8 s). It counts the requests.
 */
public final class TestUpstream implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.Map<String, Integer> hits = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<Hook> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A webhook delivery received on {@code /hook…} ({@code /hook-failing} answers 500, {@code /hook-slow…} after 8 s).
     */
    public record Hook(String path, String signature, String delivery, String body) {
    }
    private final AtomicInteger flakyLeft = new AtomicInteger();
    private volatile String lastTraceparent;
    /** The traceparent headers of the latest requests (the newest 1,000). */
    private final java.util.Deque<String> traceparents = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();

    public TestUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            lastTraceparent = exchange.getRequestHeaders().getFirst("traceparent");
            if (lastTraceparent != null) {
                traceparents.addLast(lastTraceparent);
                while (traceparents.size() > 1000) {
                    traceparents.pollFirst();
                }
            }
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
            hits.merge(path + "?" + query, 1, Integer::sum);
            if (path.startsWith("/hook")) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                hooks.add(new Hook(path, exchange.getRequestHeaders().getFirst("Retinue-Signature"),
                        exchange.getRequestHeaders().getFirst("Retinue-Delivery"), body));
                if (path.startsWith("/hook-slow")) {
                    try {
                        Thread.sleep(8000);
                    }
                    catch (InterruptedException stopped) {
                        Thread.currentThread().interrupt();
                    }
                }
                int answer = path.equals("/hook-failing") ? 500 : 204;
                exchange.sendResponseHeaders(answer, -1);
                exchange.close();
                return;
            }
            if (path.equals("/redirect")) {
                exchange.getResponseHeaders().set("Location",
                        java.net.URLDecoder.decode(query.replaceFirst("^to=", ""), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            if (path.equals("/oauth/token")) {
                tokenRequests.incrementAndGet();
                String expected = "Basic " + java.util.Base64.getEncoder()
                    .encodeToString("retinue-client:client-s3cret".getBytes(StandardCharsets.UTF_8));
                boolean ok = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] reply = (ok ? "{\"access_token\":\"tok-" + java.util.UUID.randomUUID()
                        + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}" : "{\"error\":\"invalid_client\"}")
                    .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(ok ? 200 : 401, reply.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply);
                }
                return;
            }
            if (path.equals("/openapi.json")) {
                byte[] document = openApi().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, document.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(document);
                }
                return;
            }
            if (path.startsWith("/pets")) {
                String sent = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                byte[] reply = ("{\"method\":\"" + exchange.getRequestMethod() + "\",\"path\":\"" + path
                        + "\",\"query\":\"" + query + "\",\"body\":" + (sent.isEmpty() ? "null" : sent) + "}")
                    .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, reply.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply);
                }
                return;
            }
            if (path.matches("/status/\\d{3}")) {
                // Answers that status, with the Retry-After given as ?retryAfter=… (seconds or an HTTP-date).
                java.util.regex.Matcher retryAfter = java.util.regex.Pattern.compile("(?:^|&)retryAfter=([^&]*)")
                    .matcher(query);
                if (retryAfter.find()) {
                    exchange.getResponseHeaders().set("Retry-After",
                            java.net.URLDecoder.decode(retryAfter.group(1), StandardCharsets.UTF_8));
                }
                byte[] reply = ("{\"status\":" + path.substring(8) + "}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(Integer.parseInt(path.substring(8)), reply.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply);
                }
                return;
            }
            int status = switch (path) {
                case "/fail" -> 500;
                case "/flaky" -> flakyLeft.getAndDecrement() > 0 ? 500 : 200;
                default -> 200;
            };
            if (path.equals("/slow")) {
                try {
                    Thread.sleep(2000);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            String text = switch (path) {
                case "/echo" -> "{\"path\":\"/echo\",\"query\":\"" + query + "\",\"authorization\":\""
                        + String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")) + "\",\"idempotencyKey\":\""
                        + String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")) + "\",\"apiKey\":\""
                        + String.valueOf(exchange.getRequestHeaders().getFirst("X-Api-Key")) + "\",\"label\":\""
                        + String.valueOf(exchange.getRequestHeaders().getFirst("X-Label")) + "\",\"method\":\""
                        + exchange.getRequestMethod() + "\"}";
                case "/big" -> "{\"data\":\"" + "x".repeat(5000) + "\"}";
                default -> "{\"path\":\"" + path + "\"}";
            };
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    private static TestUpstream shared;

    /** One upstream for the whole test run, so its address can be configured into the application. */
    public static synchronized TestUpstream shared() {
        if (shared == null) {
            try {
                shared = new TestUpstream();
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return shared;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** A small OpenAPI 3 document describing this server's /pets API, with a $ref to resolve. */
    public String openApi() {
        return """
                {"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
                 "servers": [{"url": "http://localhost:%d"}],
                 "paths": {
                   "/pets": {
                     "get": {"operationId": "listPets", "summary": "Lists pets",
                             "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}]},
                     "post": {"operationId": "createPet", "summary": "Adds a pet",
                              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}},
                   "/pets/{pet-id}": {
                     "get": {"operationId": "getPet", "summary": "Finds a pet",
                             "parameters": [{"name": "pet-id", "in": "path", "required": true, "schema": {"type": "string"}}]}}},
                 "components": {"schemas": {"Pet": {"type": "object", "required": ["name"],
                   "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}}}
                """.formatted(port());
    }

    /** The webhook deliveries received so far. */
    public java.util.List<Hook> hooks() {
        return java.util.List.copyOf(hooks);
    }

    /** How often a path with this query was requested, e.g. {@code hits("/echo?run=r7")}. */
    public int hits(String pathAndQuery) {
        return hits.getOrDefault(pathAndQuery, 0);
    }

    public int requests() {
        return requests.get();
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    public java.util.List<String> traceparents() {
        return java.util.List.copyOf(traceparents);
    }

    public String lastTraceparent() {
        return lastTraceparent;
    }

    public void failNext(int times) {
        flakyLeft.set(times);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
