package io.retinue.shared.web;

import static io.retinue.testing.Api.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.RawHttp;
import tools.jackson.databind.node.ObjectNode;

/** Every kind of bad request gets problem+json with a stable type, the field at fault and no internals. */
class ProblemResponsesIT extends PlatformIT {

    @Test
    void malformedJsonIs400() {
        Reply reply = api.call("POST", "/api/v1/agents").body("{\"slug\": ", "application/json").send();
        assertProblem(reply, 400, "malformed-request");
    }

    @Test
    void unknownFieldsAreNamed() {
        ObjectNode body = Agents.create(uniqueSlug("unknown"), Map.of());
        body.put("colour", "blue");
        Reply reply = api.post("/api/v1/agents", body);
        assertProblemAt(reply, 422, "validation-failed", "/colour");
    }

    @Test
    void everyViolationIsListedAtOnce() {
        ObjectNode body = Agents.create("X", Map.of("Bad Key", "v"));
        ObjectNode config = (ObjectNode) body.get("config");
        ((ObjectNode) config.get("model")).put("provider", "skynet");
        ((ObjectNode) config.at("/model/parameters")).put("temperature", 9);
        ((ObjectNode) config.at("/model/parameters")).put("maxOutputTokens", 5000);
        config.set("limits", JSON.createObjectNode().put("maxTokensPerRun", 100));
        config.set("responseFormat", JSON.createObjectNode().put("type", "json_schema")
            .set("schema", JSON.createObjectNode().put("type", "banana")));

        Reply reply = api.post("/api/v1/agents", body);

        assertProblem(reply, 422, "validation-failed");
        assertThat(reply.json().get("errors").valueStream().map(e -> e.get("pointer").asString()).toList())
            .contains("/slug", "/labels/Bad Key", "/config/model/provider", "/config/model/parameters/temperature",
                    "/config/model/parameters/maxOutputTokens", "/config/responseFormat/schema/type");
    }

    @Test
    void wrongContentTypeIs415() {
        Reply reply = api.call("POST", "/api/v1/agents").body("slug=x", "application/x-www-form-urlencoded").send();
        assertProblem(reply, 415, "unsupported-media-type");
    }

    @Test
    void oversizedBodiesAre413WhetherDeclaredOrStreamed() {
        String big = "{\"slug\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertProblem(api.call("POST", "/api/v1/agents").body(big, "application/json").send(), 413, "payload-too-large");

        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofString(big));
        assertProblem(api.call("POST", "/api/v1/agents").body(chunked, "application/json").send(), 413,
                "payload-too-large");
    }

    @Test
    void unknownRoutesAre404AndWrongMethodsAre405() {
        assertProblem(api.get("/api/v1/nothing-here"), 404, "not-found");
        assertProblem(api.get("/api/v1/agents/" + java.util.UUID.randomUUID()), 404, "not-found");
        assertProblem(api.call("PUT", "/api/v1/agents").json("{}").send(), 405, "method-not-allowed");
    }

    @Test
    void unexpectedFailuresAre500WithARequestIdAndNoInternals() {
        Reply reply = api.call("GET", "/api/v1/test/explode").header("X-Request-Id", "trace-me-123").send();
        assertProblem(reply, 500, "internal-error");
        assertThat(reply.json().get("requestId").asString()).isEqualTo("trace-me-123");
        assertThat(reply.header("X-Request-Id")).contains("trace-me-123");
        assertThat(reply.body()).doesNotContain("hunter2", "IllegalStateException", "at io.retinue");
    }

    @Test
    void badParametersNameTheParameter() {
        Reply reply = api.get("/api/v1/agents?order=sideways");
        assertProblemAt(reply, 400, "invalid-parameter", "order");
        assertProblem(api.get("/api/v1/agents/x/versions/notanumber"), 400, "malformed-request");
        // Query parameters of the wrong type are named, with what they must be.
        assertProblemAt(api.get("/api/v1/agents?limit=abc"), 400, "invalid-parameter", "limit");
        assertProblemAt(api.get("/api/v1/tools?enabled=maybe"), 400, "invalid-parameter", "enabled");
        assertProblemAt(api.get("/api/v1/agents/x/spec?version=x"), 400, "invalid-parameter", "version");
        // A cursor this API did not issue is refused, whichever list it is given to.
        for (String list : List.of("/api/v1/tools", "/api/v1/audit-events", "/api/v1/agents", "/api/v1/runs")) {
            for (String cursor : List.of("abc", "AAAA", "x".repeat(5000), "Zm9vfGJhcg", "..%2F..")) {
                assertProblemAt(api.get(list + "?cursor=" + cursor), 400, list.endsWith("agents")
                        ? "agents/invalid-cursor" : "invalid-parameter", "cursor");
            }
        }
    }

    @Test
    void malformedPercentEncodingInTheQueryNamesTheParameter() {
        RawHttp.Answer answer = raw().send("GET", "/api/v1/agents?limit=%zz%", auth(), null);
        assertRawProblem(answer, 400, "invalid-parameter");
        assertThat(answer.json().at("/errors/0/pointer").asString()).isEqualTo("limit");
        assertThat(answer.json().at("/requestId").asString()).as("refused before anything else, still with its id")
            .isNotBlank();
        assertRawProblem(raw().send("GET", "/api/v1/agents?q=%ff", auth(), null), 400, "invalid-parameter");
        // No text column holds a NUL: searching with one was answered 409 by the database's refusal.
        assertRawProblem(raw().send("GET", "/api/v1/runs?agent=%00", auth(), null), 400, "invalid-parameter");
    }

    @Test
    void aNulCharacterInABodyIsNamed() {
        Reply session = api.post("/api/v1/sessions", "{\"agent\":\"x\",\"metadata\":{\"note\":\"a\\u0000b\"}}");
        assertProblemAt(session, 422, "validation-failed", "/metadata/note");
        Reply login = api.call("POST", "/api/v1/auth/login").anonymous()
            .json("{\"tenant\":\"default\",\"email\":\"ada@example.com\\u0000\",\"password\":\"x\"}").send();
        assertProblemAt(login, 422, "validation-failed", "/email");
    }

    @Test
    void overlongValuesAreInputNotConflicts() {
        Reply session = api.post("/api/v1/sessions", Map.of("agent", "a".repeat(64)));
        assertProblemAt(session, 422, "validation-failed", "/agent");
        Reply login = api.call("POST", "/api/v1/auth/login").anonymous()
            .json(Map.of("tenant", "default", "email", "a".repeat(10_000) + "@example.com", "password", "x")).send();
        assertProblem(login, 401, "gateway/login-failed");
    }

    @Test
    void multipartWithoutBoundaryIs415EvenBeforeLogin() {
        Reply login = api.call("POST", "/api/v1/auth/login").anonymous()
            .body("{\"tenant\":\"default\"}", "multipart/form-data").send();
        assertProblem(login, 415, "unsupported-media-type");
        assertProblem(api.call("POST", "/api/v1/api-keys").body("{}", "multipart/form-data").send(), 415,
                "unsupported-media-type");
    }

    @Test
    void nullsInsideListsAreNamedAtTheirIndex() {
        Reply keys = api.post("/api/v1/api-keys", "{\"name\":\"k\",\"scopes\":[null]}");
        assertProblemAt(keys, 422, "validation-failed", "/scopes/0");
        Reply agents = api.post("/api/v1/api-keys", "{\"name\":\"k\",\"role\":\"viewer\",\"agents\":[null]}");
        assertThat(agents.json().at("/errors/0/pointer").asString()).isEqualTo("/agents/0");
        Reply tools = api.post("/api/v1/tools", "{\"name\":\"t.x\",\"kind\":\"http\",\"tags\":[\"a\",null]}");
        assertProblemAt(tools, 422, "validation-failed", "/tags/1");
    }

    @Test
    void overflowingNumbersAndLoneSurrogatesAreNamed() {
        Reply rollback = api.post("/api/v1/agents/x/rollback", "{\"version\": 99999999999}");
        assertProblemAt(rollback, 422, "validation-failed", "/version");
        Reply rotate = api.post("/api/v1/api-keys/x/rotate", "{\"overlapSeconds\": 99999999999999999999999}");
        assertProblemAt(rotate, 400, "malformed-request", "/overlapSeconds");

        Reply login = api.call("POST", "/api/v1/auth/login").anonymous()
            .json("{\"tenant\":\"default\",\"email\":\"ada@example.com\",\"password\":\"\\ud800\"}").send();
        assertProblemAt(login, 422, "validation-failed", "/password");

        assertThat(raw().send("POST", "/api/v1/tools/%20/invoke", Map.of("Authorization", "Bearer " + ADMIN_KEY,
                "Content-Type", "application/json"), "{\"arguments\":{}}").status()).isBetween(400, 499);
    }

    @Test
    void pathsAndQueriesTheContainerRefusesAreProblems() {
        for (String target : new String[] { "/api/v1/agents/%", "/api/v1/%2e%2e/x", "/api/v1/agents\\x",
            "/api/v1/agents/%00", "/api/v1/agents/" + "a".repeat(10 * 1024), "/api/v1/agents?q=" + "a".repeat(16 * 1024),
            "/api/v1/agents/a%2Fb", "/api/v1/agents/..;/x" }) {
            RawHttp.Answer answer = raw().send("GET", target, auth(), null);
            assertThat(answer.status()).as(target).isBetween(400, 499);
            assertThat(answer.contentType()).as(target).startsWith("application/problem+json");
            assertThat(answer.json().get("type").asString()).as(target).startsWith("https://retinue.dev/problems/");
        }
    }

    @Test
    void anEmptyExpiryIsRefusedNotTakenAsNever() {
        Reply reply = api.post("/api/v1/api-keys", "{\"name\":\"k\",\"role\":\"viewer\",\"expiresAt\":\"\"}");
        assertProblemAt(reply, 400, "malformed-request", "/expiresAt");
    }

    @Test
    void enumeratedQueryParametersRefuseUnknownValues() {
        for (String path : new String[] { "/api/v1/webhook-deliveries?status=anything", "/api/v1/agents?status=x",
            "/api/v1/tools?kind=x", "/api/v1/audit-events?outcome=x", "/api/v1/tool-permissions/decisions?effect=x",
            "/api/v1/runs?status=done", "/api/v1/tool-executions?status=ok" }) {
            Reply reply = api.get(path);
            assertProblemAt(reply, 400, "invalid-parameter", path.replaceAll(".*\\?|=.*", ""));
        }
        assertThat(api.get("/api/v1/webhook-deliveries?status=dead").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/runs?status=requires_action").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tool-executions?status=approval_required").status()).isEqualTo(200);
    }

    @Test
    void numbersAndBooleansAreNotReadFromStrings() {
        Reply reply = api.post("/api/v1/api-keys/x/rotate", "{\"overlapSeconds\":\"60\"}");
        assertProblemAt(reply, 400, "malformed-request", "/overlapSeconds");
        Reply rollback = api.post("/api/v1/agents/x/rollback", "{\"version\":\"2\"}");
        assertProblemAt(rollback, 422, "validation-failed", "/version");
    }

    @Test
    void collectionsAreBoundedAtTheField() {
        String scopes = java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "\"s" + i + "\"")
            .collect(java.util.stream.Collectors.joining(",", "[", "]"));
        Reply reply = api.post("/api/v1/api-keys", "{\"name\":\"k\",\"scopes\":" + scopes + "}");
        assertProblemAt(reply, 422, "validation-failed", "/scopes");
        assertThat(reply.json().at("/errors/0/detail").asString()).contains("1000");
    }

    @Test
    void freeFormJsonIsBoundedAndUnicodeAtAnyDepth() {
        String items = java.util.stream.IntStream.range(0, 1001).mapToObj(String::valueOf)
            .collect(java.util.stream.Collectors.joining(",", "[", "]"));
        Reply arguments = api.post("/api/v1/tools/builtin.calculator/invoke",
                "{\"arguments\":{\"deep\":{\"list\":" + items + "}}}");
        assertProblemAt(arguments, 422, "validation-failed", "/arguments/deep/list");

        String keys = java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "\"k" + i + "\":1")
            .collect(java.util.stream.Collectors.joining(",", "{", "}"));
        Reply metadata = api.post("/api/v1/sessions", "{\"agent\":\"x\",\"metadata\":" + keys + "}");
        assertProblemAt(metadata, 422, "validation-failed", "/metadata");

        Reply surrogate = api.post("/api/v1/tools/builtin.calculator/invoke",
                "{\"arguments\":{\"expression\":[\"1\", \"\\ud800\"]}}");
        assertProblemAt(surrogate, 422, "validation-failed", "/arguments/expression/1");
    }

    @Test
    void openApiImportSaysWhatIsWrongWithTheDocumentInUserTerms() {
        for (String document : new String[] { "\"just a string\"", "[1, 2]", "{\"swagger\": \"2.0\", \"paths\": {}}",
            "{ not: [yaml" }) {
            Reply reply = api.post("/api/v1/tools/openapi-import", Map.of("namespace", "x", "document", document));
            assertProblem(reply, 422, "validation-failed");
            assertThat(reply.body()).as(document).doesNotContain("java.", "LinkedHashMap", "Creator");
            assertThat(reply.json().at("/errors/0/pointer").asString()).startsWith("/document");
        }
    }

    private RawHttp raw() {
        return new RawHttp(port);
    }

    private static Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + ADMIN_KEY);
    }

    static void assertRawProblem(RawHttp.Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/" + type);
    }

    /** A problem of this status and type whose first violation points at {@code pointer}. */
    static void assertProblemAt(Reply reply, int status, String type, String pointer) {
        assertProblem(reply, status, type);
        assertThat(reply.json().at("/errors/0/pointer").asString()).as(reply.toString()).isEqualTo(pointer);
    }

    static void assertProblem(Reply reply, int status, String type) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/" + type);
        assertThat(reply.json().get("title").asString()).isNotBlank();
        assertThat(reply.json().get("status").asInt()).isEqualTo(status);
        assertThat(reply.json().get("detail").asString()).isNotBlank();
    }

}
