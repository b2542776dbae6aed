package io.retinue.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small client for talking to the running application over real HTTP, the way API users do. */
public final class Api {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;

    public Api(int port, String apiKey) {
        this.base = "http://localhost:" + port;
        this.apiKey = apiKey;
    }

    public Api as(String otherKey) {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
    }

    public String apiKey() {
        return apiKey;
    }

    public Call call(String method, String path) {
        return new Call(method, path);
    }

    public Reply get(String path) {
        return call("GET", path).send();
    }

    public Reply post(String path, Object json) {
        return call("POST", path).json(json).send();
    }

    public Reply put(String path, Object json) {
        return call("PUT", path).json(json).send();
    }

    public Reply patch(String path, Object json) {
        return call("PATCH", path).json(json).send();
    }

    public Reply delete(String path) {
        return call("DELETE", path).send();
    }

    /** One request being put together. */
    public final class Call {

        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        private boolean authenticated = true;

        private Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Call anonymous() {
            authenticated = false;
            return this;
        }

        public Call json(Object value) {
            String text = value instanceof String s ? s : JSON.writeValueAsString(value);
            return body(text, "application/json");
        }

        public Call body(String text, String contentType) {
            headers.putIfAbsent("Content-Type", contentType);
            body = HttpRequest.BodyPublishers.ofString(text);
            return this;
        }

        public Call body(HttpRequest.BodyPublisher publisher, String contentType) {
            headers.putIfAbsent("Content-Type", contentType);
            body = publisher;
            return this;
        }

        /** Sends the request and reads a text/event-stream answer to its end (for an error, the problem as body). */
        public Streamed stream() {
            return stream(line -> {
            });
        }

        /** Like {@link #stream()}, handing each line to {@code eachLine} as it arrives. */
        public Streamed stream(java.util.function.Consumer<String> eachLine) {
            headers.putIfAbsent("Accept", "text/event-stream");
            try {
                HttpResponse<java.util.stream.Stream<String>> response = http.send(request(),
                        HttpResponse.BodyHandlers.ofLines());
                java.util.List<String> lines = response.body().peek(eachLine).toList();
                return new Streamed(response.statusCode(), response.headers().map(), SseEvent.parse(lines),
                        String.join("\n", lines));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }

        private HttpRequest request() {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body);
            if (authenticated && apiKey != null) {
                request.header("Authorization", "Bearer " + apiKey);
            }
            headers.forEach(request::header);
            return request.build();
        }

        public Reply send() {
            try {
                HttpResponse<String> response = http.send(request(), HttpResponse.BodyHandlers.ofString());
                return new Reply(response.statusCode(), response.headers().map(), response.body());
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /** The first value of a header, whatever the case of its name. */
    static Optional<String> header(Map<String, java.util.List<String>> headers, String name) {
        return headers.entrySet()
            .stream()
            .filter(entry -> entry.getKey().equalsIgnoreCase(name))
            .flatMap(entry -> entry.getValue().stream())
            .findFirst();
    }

    /** One server-sent event. */
    public record SseEvent(int id, String type, JsonNode data) {

        static java.util.List<SseEvent> parse(java.util.List<String> lines) {
            java.util.List<SseEvent> events = new java.util.ArrayList<>();
            Integer id = null;
            String type = null;
            StringBuilder data = new StringBuilder();
            for (String line : lines) {
                if (line.isEmpty()) {
                    if (type != null) {
                        events.add(new SseEvent(id == null ? 0 : id, type, JSON.readTree(data.toString())));
                    }
                    id = null;
                    type = null;
                    data.setLength(0);
                }
                else if (line.startsWith("id: ")) {
                    id = Integer.parseInt(line.substring(4));
                }
                else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                }
                else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            return events;
        }
    }

    /** A streamed response: status, headers, the events it carried and its raw text. */
    public record Streamed(int status, Map<String, java.util.List<String>> headers, java.util.List<SseEvent> events,
            String body) {

        public java.util.List<String> types() {
            return events.stream().map(SseEvent::type).toList();
        }

        public Optional<String> header(String name) {
            return Api.header(headers, name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A response: status, headers and body. */
    public record Reply(int status, Map<String, java.util.List<String>> headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public Optional<String> header(String name) {
            return Api.header(headers, name);
        }

        public String contentType() {
            return header("Content-Type").orElse("");
        }

        /** This reply, when its status is {@code status}; otherwise fails with the reply. */
        public Reply expect(int status) {
            if (this.status != status) {
                throw new AssertionError("expected " + status + ", got " + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
