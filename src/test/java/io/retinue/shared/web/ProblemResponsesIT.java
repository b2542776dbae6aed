package io.retinue.shared.web;

import static io.retinue.testing.Api.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
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
        assertProblem(reply, 422, "validation-failed");
        assertThat(reply.json().at("/errors/0/pointer").asString()).isEqualTo("/colour");
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
        assertProblem(reply, 400, "invalid-parameter");
        assertThat(reply.json().at("/errors/0/pointer").asString()).isEqualTo("order");
        assertProblem(api.get("/api/v1/agents/x/versions/notanumber"), 400, "malformed-request");
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
