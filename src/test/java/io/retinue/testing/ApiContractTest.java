package io.retinue.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.retinue.testing.ApiExchanges.Exchange;
import tools.jackson.databind.JsonNode;

class ApiContractTest {

    private static final JsonNode DOCUMENT = Api.JSON.readTree("""
            { "paths": {
                "/api/v1/agents": { "post": { "responses": {
                    "201": { "content": { "application/json": {} } },
                    "422": { "content": { "application/problem+json": {} } } } } },
                "/api/v1/agents/{agent}": { "get": { "responses": {
                    "200": { "content": { "application/json": {} } }, "304": {} } } },
                "/api/v1/agents/import": { "get": { "responses": {
                    "200": { "content": { "application/yaml": {} } } } } } } }
            """);

    private final ApiContract contract = new ApiContract(DOCUMENT);

    @Test
    void agreesWhenEveryAnswerIsDocumentedAndEverySuccessSeen() {
        assertThat(contract.differences(Set.of(new Exchange("POST", "/api/v1/agents", 201, "application/json"),
                new Exchange("POST", "/api/v1/agents", 422, "application/problem+json"),
                new Exchange("GET", "/api/v1/agents/a", 200, "application/json"),
                new Exchange("GET", "/api/v1/agents/a", 304, null)))).isEmpty();
    }

    @Test
    void reportsAStatusTheOperationDoesNotDocument() {
        assertThat(contract.differences(Set.of(new Exchange("POST", "/api/v1/agents", 201, "application/json"),
                new Exchange("POST", "/api/v1/agents", 409, "application/problem+json"))))
            .containsExactly("POST /api/v1/agents answered 409 (application/problem+json), documented: [201, 422]");
    }

    @Test
    void reportsAMediaTypeTheResponseDoesNotDocument() {
        assertThat(contract.differences(Set.of(new Exchange("POST", "/api/v1/agents", 201, "text/plain"),
                new Exchange("GET", "/api/v1/agents/a", 304, "application/json"))))
            .containsExactlyInAnyOrder("POST /api/v1/agents answered 201 as text/plain, documented: [application/json]",
                    "GET /api/v1/agents/{agent} answered 304 as application/json, documented: no content",
                    "GET /api/v1/agents/{agent} documents 200 but answered only [304]");
    }

    @Test
    void reportsADocumentedSuccessNeverSeenOfAnExercisedOperation() {
        assertThat(contract.differences(Set.of(new Exchange("GET", "/api/v1/agents/a", 304, null))))
            .containsExactly("GET /api/v1/agents/{agent} documents 200 but answered only [304]");
    }

    @Test
    void matchesTheMostSpecificTemplate() {
        assertThat(contract.differences(Set.of(new Exchange("GET", "/api/v1/agents/import", 200, "application/json"))))
            .containsExactly("GET /api/v1/agents/import answered 200 as application/json, documented: [application/yaml]");
    }

    @Test
    void reportsAnAnswerOffTheDocumentUnlessItIsARefusalOfNothing() {
        assertThat(contract.differences(Set.of(new Exchange("GET", "/api/v1/nothing", 404, "application/problem+json"),
                new Exchange("PUT", "/api/v1/agents", 405, "application/problem+json"),
                new Exchange("GET", "/api/v1/a%2Fb", 400, "application/problem+json"),
                new Exchange("OPTIONS", "/api/v1/agents", 200, null),
                new Exchange("GET", "/api/v1/test/upstream", 200, "text/plain"),
                new Exchange("GET", "/api/v1/users", 200, "application/json"))))
            .containsExactly("GET /api/v1/users is not in the document but answered 200");
    }
}
