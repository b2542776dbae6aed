package io.retinue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.RawHttp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends every operation of the application's own OpenAPI document a bounded set of hostile requests, with the admin
 * key and without: every answer must be below 500, every 4xx problem+json, and nothing may log a stack trace.
 */
class RobustnessIT extends PlatformIT {

    private static final int OVER_BOUND = 1001;
    private static final String[] CONTENT_TYPES = { "multipart/form-data", "text/plain", "application/xml",
        "application/json; charset=nonsense", "application/x-www-form-urlencoded" };
    private static final String[] NOT_JSON = { "not json", "{", "[]", "null", "\"x\"", "{\"a\":}", "\u0000" };
    private static final String[] QUERY_VALUES = { "%zz%", "%", "", "garbage", "99999999999999999999", "-1",
        "%00", "%ff", "%ed%a0%80", "1e309" };
    private static final String[] PATH_VALUES = { "%", "%zz", "%20", "%00", "%2e%2e", "%2F", "%5C", "..", "x;y",
        "99999999999999999999", "%ed%a0%80" };

    /** One request as sent, raw, so no client library refuses or repairs what is malformed on purpose. */
    record Probe(String method, String target, String contentType, String body, boolean authenticated) {
    }

    record Answer(Probe probe, int status, String contentType, String body) {

        @Override
        public String toString() {
            String target = probe.target.length() > 120 ? probe.target.substring(0, 120) + "…" : probe.target;
            String sent = probe.body == null ? "" : " body " + abbreviate(probe.body, 80);
            return probe.method + " " + target + (probe.authenticated ? "" : " (anonymous)") + " [" + probe.contentType
                    + "]" + sent + " → " + status + " " + contentType + " " + abbreviate(body, 160);
        }
    }

    @Test
    void everyOperationAnswersHostileRequestsWithProblemsAndNoStackTraces() throws Exception {
        JsonNode docs = api.get("/v3/api-docs").json();
        List<Probe> probes = probes(docs);
        assertThat(probes).hasSizeGreaterThan(500).hasSizeLessThan(8000);

        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        List<Answer> failures;
        List<String> stackTraces;
        try {
            failures = send(probes).stream().filter(RobustnessIT::failed).toList();
        }
        finally {
            root.detachAppender(log);
        }
        stackTraces = log.list.stream()
            .filter(event -> event.getThrowableProxy() != null)
            .map(event -> event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage() + " ("
                    + event.getThrowableProxy().getClassName() + ": "
                    + abbreviate(Objects.toString(event.getThrowableProxy().getMessage()), 120) + ")")
            .distinct()
            .toList();

        assertThat(failures).as("%d of %d hostile requests were not answered with a 4xx problem:%n%s",
                failures.size(), probes.size(),
                failures.stream().map(Answer::toString).collect(Collectors.joining("\n"))).isEmpty();
        assertThat(stackTraces).as("stack traces logged:%n%s", String.join("\n", stackTraces)).isEmpty();
    }

    private static boolean failed(Answer answer) {
        return answer.status >= 500 || answer.status < 100
                || answer.status >= 400 && !answer.contentType.startsWith("application/problem+json");
    }

    private List<Probe> probes(JsonNode docs) {
        List<Probe> probes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : docs.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                String method = operation.getKey().toUpperCase();
                if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    continue;
                }
                for (boolean authenticated : new boolean[] { true, false }) {
                    probes.addAll(probes(docs, method, path.getKey(), operation.getValue(), authenticated));
                }
            }
        }
        // Over-long paths and query strings, beyond what the container reads.
        for (boolean authenticated : new boolean[] { true, false }) {
            probes.add(new Probe("GET", "/api/v1/agents/" + "a".repeat(10 * 1024), null, null, authenticated));
            probes.add(new Probe("GET", "/api/v1/agents?q=" + "a".repeat(16 * 1024), null, null, authenticated));
            probes.add(new Probe("GET", "/api/v1/%2e%2e/x", null, null, authenticated));
            probes.add(new Probe("GET", "/api/v1/agents\\x", null, null, authenticated));
            probes.add(new Probe("GET", "/api/v1/agents/%", null, null, authenticated));
        }
        return probes;
    }

    private static List<Probe> probes(JsonNode docs, String method, String template, JsonNode operation,
            boolean auth) {
        List<Probe> probes = new ArrayList<>();
        String path = template.replaceAll("\\{[^}]+}", "x");
        // Malformed or hostile path variables.
        if (template.contains("{")) {
            for (String value : PATH_VALUES) {
                probes.add(new Probe(method, template.replaceAll("\\{[^}]+}", value), null, null, auth));
            }
        }
        // Malformed %-encoding in the query, and hostile values for every declared query parameter.
        probes.add(new Probe(method, path + "?limit=%zz%", null, null, auth));
        probes.add(new Probe(method, path + "?%zz=1", null, null, auth));
        for (JsonNode parameter : operation.path("parameters")) {
            if (!"query".equals(parameter.path("in").asString())) {
                continue;
            }
            for (String value : QUERY_VALUES) {
                probes.add(new Probe(method, path + "?" + parameter.get("name").asString() + "=" + value, null, null,
                        auth));
            }
        }
        JsonNode content = operation.path("requestBody").path("content");
        if (!content.isMissingNode()) {
            JsonNode schema = content.has("application/json") ? resolve(docs, content.at("/application~1json/schema"))
                    : null;
            String valid = schema == null ? "{}" : Api.JSON.writeValueAsString(sample(docs, schema));
            for (String contentType : CONTENT_TYPES) {
                probes.add(new Probe(method, path, contentType, valid, auth));
            }
            for (String body : NOT_JSON) {
                probes.add(new Probe(method, path, "application/json", body, auth));
            }
            if (schema != null && auth) {
                for (String body : hostileBodies(docs, schema)) {
                    probes.add(new Probe(method, path, "application/json", body, auth));
                }
            }
        }
        return probes;
    }

    /** A plausible body with, in turn, each top-level property made hostile. */
    private static List<String> hostileBodies(JsonNode docs, JsonNode schema) {
        List<String> bodies = new ArrayList<>();
        ObjectNode base = sample(docs, schema) instanceof ObjectNode object ? object : Api.JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            String name = property.getKey();
            JsonNode type = resolve(docs, property.getValue());
            String kind = type.path("type").isArray() ? type.path("type").get(0).asString() : type.path("type").asString();
            List<String> values = new ArrayList<>(List.of("null", "\"\"", "\"\\ud800\"", "[null]", "{\"k\":null}"));
            switch (kind) {
                case "integer", "number" -> values.addAll(List.of("\"2\"", "99999999999", "99999999999999999999999",
                        "1e400", "-1"));
                case "boolean" -> values.add("\"true\"");
                case "array" -> {
                    values.add(array(OVER_BOUND, "\"x" + "\""));
                    values.add("[\"\\udc00\"]");
                }
                case "object" -> values.add(object(OVER_BOUND));
                default -> values.add("\"" + "x".repeat(10_000) + "\"");
            }
            for (String value : values) {
                ObjectNode body = base.deepCopy();
                body.remove(name);
                String text = Api.JSON.writeValueAsString(body);
                bodies.add(text.equals("{}") ? "{\"" + name + "\":" + value + "}"
                        : "{\"" + name + "\":" + value + "," + text.substring(1));
            }
        }
        return bodies;
    }

    private static String array(int size, String item) {
        return "[" + String.join(",", java.util.Collections.nCopies(size, item)) + "]";
    }

    private static String object(int size) {
        StringBuilder object = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            object.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        return object.append('}').toString();
    }

    private static JsonNode resolve(JsonNode docs, JsonNode schema) {
        JsonNode resolved = schema;
        for (int depth = 0; depth < 10 && resolved.has("$ref"); depth++) {
            resolved = docs.at(resolved.get("$ref").asString().substring(1));
        }
        return resolved;
    }

    /** A value of the schema's shape, from its examples where it has them. */
    private static JsonNode sample(JsonNode docs, JsonNode schema) {
        return sample(docs, schema, 0);
    }

    private static JsonNode sample(JsonNode docs, JsonNode raw, int depth) {
        JsonNode schema = resolve(docs, raw);
        if (schema.has("example")) {
            return schema.get("example");
        }
        if (schema.has("examples") && schema.get("examples").isArray() && !schema.get("examples").isEmpty()) {
            return schema.get("examples").get(0);
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asString()
                : schema.path("type").asString();
        return switch (type) {
            case "integer", "number" -> Api.JSON.getNodeFactory().numberNode(1);
            case "boolean" -> Api.JSON.getNodeFactory().booleanNode(true);
            case "array" -> {
                ArrayNode array = Api.JSON.createArrayNode();
                if (depth < 4 && schema.has("items")) {
                    array.add(sample(docs, schema.get("items"), depth + 1));
                }
                yield array;
            }
            case "string" -> Api.JSON.getNodeFactory().stringNode("x");
            default -> {
                ObjectNode object = Api.JSON.createObjectNode();
                if (depth < 4) {
                    for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
                        object.set(property.getKey(), sample(docs, property.getValue(), depth + 1));
                    }
                }
                yield object;
            }
        };
    }

    private List<Answer> send(List<Probe> probes) throws Exception {
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        try (ExecutorService senders = Executors.newFixedThreadPool(4)) {
            List<Future<?>> sent = new ArrayList<>();
            for (Probe probe : probes) {
                sent.add(senders.submit(() -> answers.add(send(probe))));
            }
            for (Future<?> future : sent) {
                future.get();
            }
        }
        return List.copyOf(answers);
    }

    /** Sends one request over a fresh connection and reads the answer to its end. */
    private Answer send(Probe probe) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (probe.authenticated) {
            headers.put("Authorization", "Bearer " + ADMIN_KEY);
        }
        if (probe.contentType != null) {
            headers.put("Content-Type", probe.contentType);
        }
        try {
            RawHttp.Answer answer = new RawHttp(port).send(probe.method, probe.target, headers, probe.body);
            return new Answer(probe, answer.status(), answer.contentType(), answer.body());
        }
        catch (UncheckedIOException ex) {
            return new Answer(probe, -1, "", "connection failed: " + ex.getCause());
        }
    }

    private static String abbreviate(String text, int max) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= max ? flat : flat.substring(0, max) + "…";
    }
}
