package io.retinue.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

class ApiDocsIT extends PlatformIT {

    @Test
    void publishesAnOpenApi31DocumentWithSchemasExamplesAndProblems() {
        Reply reply = api.call("GET", "/v3/api-docs").anonymous().send();
        assertThat(reply.status()).isEqualTo(200);
        JsonNode doc = reply.json();
        assertThat(doc.get("openapi").asString()).startsWith("3.1");
        JsonNode create = doc.at("/paths/~1api~1v1~1agents/post");
        assertThat(create.at("/requestBody/content/application~1json/schema/$ref").asString()).endsWith("CreateAgentRequest");
        assertThat(create.at("/requestBody/content/application~1json/example/slug").isMissingNode()).isFalse();
        assertThat(create.at("/responses/422/content/application~1problem+json").isMissingNode()).isFalse();
        assertThat(doc.at("/components/schemas/AgentConfig").isMissingNode()).isFalse();
        assertThat(doc.at("/components/securitySchemes/apiKey/scheme").asString()).isEqualTo("bearer");
        assertThat(doc.get("paths").propertyNames()).contains("/api/v1/agents/{agent}/versions/{version}/publish",
                "/api/v1/agents/{agent}/rollback", "/api/v1/agents/{agent}/diff", "/api/v1/agents/import",
                "/api/v1/agents/{agent}/export", "/api/v1/agent-configs/validate", "/api/v1/agent-configs/schema");
        assertThat(doc.get("paths").propertyNames()).doesNotContain("/error");
    }

    @Test
    void listsForEachOperationTheAnswersItCanGive() {
        JsonNode doc = api.call("GET", "/v3/api-docs").anonymous().send().json();
        assertThat(doc.at("/components/schemas/Problem/properties/type").isMissingNode()).isFalse();
        JsonNode paths = doc.get("paths");
        JsonNode jwks = paths.at("/~1.well-known~1jwks.json/get/responses");
        assertThat(jwks.propertyNames()).containsExactly("200", "400", "429", "500", "503");
        JsonNode list = paths.at("/~1api~1v1~1agents/get/responses");
        assertThat(list.propertyNames()).containsExactly("200", "400", "401", "403", "429", "500", "503");
        JsonNode delete = paths.at("/~1api~1v1~1agents~1{agent}/delete/responses");
        assertThat(delete.propertyNames()).contains("204", "404", "409", "412").doesNotContain("200", "413", "415");
        JsonNode create = paths.at("/~1api~1v1~1agents/post/responses");
        assertThat(create.at("/201/headers/Location").isMissingNode()).isFalse();
        assertThat(create.at("/429/headers").propertyNames()).containsExactly("Retry-After", "RateLimit",
                "RateLimit-Policy");
        assertThat(create.at("/409/content").propertyNames()).containsExactly("application/problem+json");
        assertThat(paths.at("/~1api~1v1~1agents~1{agent}/get/responses/304").isMissingNode()).isFalse();
        assertThat(paths.at("/~1api~1v1~1runs~1{id}~1events/get/responses/200/content").propertyNames())
            .containsExactly("text/event-stream");
        assertThat(paths.at("/~1api~1v1~1runs/post/responses").propertyNames()).contains("200", "201", "202");
    }

    @Test
    void servesTheConfigurationSchemaAndADryRunValidator() {
        Reply schema = api.get("/api/v1/agent-configs/schema");
        assertThat(schema.status()).isEqualTo(200);
        assertThat(schema.contentType()).startsWith("application/schema+json");
        assertThat(schema.json().get("$id").asString()).isEqualTo("https://retinue.dev/schemas/agent-config.json");

        Reply valid = api.post("/api/v1/agent-configs/validate", io.retinue.testing.Agents.config("demo-echo", 0.3));
        assertThat(valid.json().get("valid").asBoolean()).isTrue();
        assertThat(valid.json().get("errors")).isEmpty();

        Reply invalid = api.post("/api/v1/agent-configs/validate", "{\"model\":{\"provider\":\"demo\"},\"instructions\":{\"system\":\"{{a}}\"}}");
        assertThat(invalid.status()).isEqualTo(200);
        assertThat(invalid.json().get("valid").asBoolean()).isFalse();
        assertThat(invalid.json().get("errors").valueStream().map(e -> e.get("pointer").asString()).toList())
            .containsExactlyInAnyOrder("/model/name", "/instructions/system");
    }
}
