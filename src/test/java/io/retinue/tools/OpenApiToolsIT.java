package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/** An OpenAPI document served by a real HTTP server, imported as tools and called. */
class OpenApiToolsIT extends PlatformIT {

    private final TestUpstream upstream = TestUpstream.shared();

    @Test
    void importsOperationsAsToolsAndCallsThem() {
        Api owner = newTenant(api, "oa").owner();
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "pets.*", "effect", "allow"));

        Reply imported = owner.post("/api/v1/tools/openapi-import",
                Map.of("namespace", "pets", "url", "http://localhost:" + upstream.port() + "/openapi.json"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        assertThat(imported.json().get("created").valueStream().map(JsonNode::asString))
            .containsExactlyInAnyOrder("pets.listpets", "pets.createpet", "pets.getpet");

        JsonNode create = owner.get("/api/v1/tools/pets.createpet").json();
        assertThat(create.at("/inputSchema/properties/body/required/0").asString()).as("$ref resolved").isEqualTo("name");
        assertThat(create.at("/inputSchema/required/0").asString()).isEqualTo("body");

        Reply pet = owner.post("/api/v1/tools/pets.getpet/invoke", Map.of("arguments", Map.of("pet_id", "rex 1")));
        assertThat(pet.status()).as(pet.toString()).isEqualTo(200);
        assertThat(pet.json().at("/result/path").asString()).isEqualTo("/pets/rex 1");
        Reply list = owner.post("/api/v1/tools/pets.listpets/invoke", Map.of("arguments", Map.of("limit", 5)));
        assertThat(list.json().at("/result/query").asString()).isEqualTo("limit=5");
        assertThat(owner.post("/api/v1/tools/pets.listpets/invoke", Map.of("arguments", Map.of())).json()
            .at("/result/query").asString()).as("empty query parameters are left out").isEmpty();
        Reply added = owner.post("/api/v1/tools/pets.createpet/invoke",
                Map.of("arguments", Map.of("body", Map.of("name", "Rex", "age", 3))));
        assertThat(added.json().at("/result/method").asString()).isEqualTo("POST");
        assertThat(added.json().at("/result/body/name").asString()).isEqualTo("Rex");
        Reply invalid = owner.post("/api/v1/tools/pets.createpet/invoke", Map.of("arguments", Map.of("body", Map.of("age", 3))));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().at("/errors/0/pointer").asString()).isEqualTo("/body/name");

        Reply again = owner.post("/api/v1/tools/openapi-import", Map.of("namespace", "pets", "document", upstream.openApi()));
        assertThat(again.json().get("unchanged")).hasSize(3);
        assertThat(again.json().get("created")).isEmpty();

        String changed = upstream.openApi().replace("Finds a pet", "Finds one pet by id");
        Reply updated = owner.post("/api/v1/tools/openapi-import",
                Map.of("namespace", "pets", "document", changed, "operations", List.of("getPet")));
        assertThat(updated.json().get("updated").valueStream().map(JsonNode::asString)).containsExactly("pets.getpet");
        assertThat(owner.get("/api/v1/tools/pets.getpet").json().get("version").asInt()).isEqualTo(2);
    }

    @Test
    void refusesDocumentsItCannotUse() {
        assertThat(api.post("/api/v1/tools/openapi-import", Map.of("namespace", "x", "document", "{\"not\": \"openapi\"}"))
            .status()).isEqualTo(422);
        Reply internal = api.post("/api/v1/tools/openapi-import",
                Map.of("namespace", "x", "url", "http://127.0.0.1:" + upstream.port() + "/openapi.json"));
        assertThat(internal.status()).isEqualTo(422);
        assertThat(internal.json().at("/errors/0/detail").asString()).contains("refused");
    }

    /** A document whose operations need a bearer token (globally), an API key in a header or query, or nothing. */
    private String securedDocument() {
        return """
                {"openapi": "3.0.3", "info": {"title": "Secured", "version": "1"},
                 "servers": [{"url": "http://localhost:%d"}],
                 "security": [{"token": []}],
                 "components": {"securitySchemes": {
                   "token": {"type": "http", "scheme": "bearer"},
                   "headerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
                   "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
                   "cookieKey": {"type": "apiKey", "in": "cookie", "name": "session"}}},
                 "paths": {"/echo": {
                   "get": {"operationId": "whoAmI"},
                   "post": {"operationId": "keyed", "security": [{"headerKey": []}]},
                   "delete": {"operationId": "queried", "security": [{"queryKey": []}]},
                   "put": {"operationId": "open", "security": []},
                   "patch": {"operationId": "cookied", "security": [{"cookieKey": []}]}}}}
                """.formatted(upstream.port());
    }

    @Test
    void securitySchemesAreFilledFromTheCredentialGivenOrNamedInWarnings() {
        Api owner = newTenant(api, "oa").owner();
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "*", "effect", "allow"));

        Reply bare = owner.post("/api/v1/tools/openapi-import", Map.of("namespace", "bare", "document", securedDocument()));
        assertThat(bare.status()).as(bare.toString()).isEqualTo(200);
        assertThat(bare.json().get("warnings").valueStream().map(JsonNode::asString))
            .anySatisfy(warning -> assertThat(warning).startsWith("whoAmI: requires credentials (token)"))
            .anySatisfy(warning -> assertThat(warning).startsWith("keyed: requires credentials"))
            .anySatisfy(warning -> assertThat(warning).startsWith("queried: requires credentials"))
            .anySatisfy(warning -> assertThat(warning).startsWith("cookied: its security schemes (cookieKey)"))
            .noneSatisfy(warning -> assertThat(warning).startsWith("open"));

        owner.put("/api/v1/credentials/echo-key", Map.of("kind", "bearer", "fields", Map.of("value", "s3cret-echo-key")));
        Reply filled = owner.post("/api/v1/tools/openapi-import",
                Map.of("namespace", "filled", "document", securedDocument(), "credential", "echo-key"));
        assertThat(filled.status()).as(filled.toString()).isEqualTo(200);
        assertThat(filled.json().get("warnings").valueStream().map(JsonNode::asString))
            .singleElement().asString().startsWith("cookied:");
        assertThat(owner.get("/api/v1/tools/filled.whoami").json().at("/http/headers/Authorization").asString())
            .isEqualTo("Bearer {{secret:echo-key}}");

        JsonNode whoAmI = owner.post("/api/v1/tools/filled.whoami/invoke", Map.of("arguments", Map.of())).json();
        assertThat(whoAmI.at("/result/authorization").asString()).as(whoAmI.toString()).isEqualTo("Bearer ****");
        JsonNode keyed = owner.post("/api/v1/tools/filled.keyed/invoke", Map.of("arguments", Map.of())).json();
        assertThat(keyed.at("/result/apiKey").asString()).as(keyed.toString()).isEqualTo("****");
        assertThat(keyed.at("/result/authorization").asString()).isEqualTo("null");
        JsonNode queried = owner.post("/api/v1/tools/filled.queried/invoke", Map.of("arguments", Map.of())).json();
        assertThat(queried.at("/result/query").asString()).as(queried.toString()).isEqualTo("api_key=****");
        JsonNode open = owner.post("/api/v1/tools/filled.open/invoke", Map.of("arguments", Map.of())).json();
        assertThat(open.at("/result/authorization").asString()).as(open.toString()).isEqualTo("null");

        Reply badName = owner.post("/api/v1/tools/openapi-import",
                Map.of("namespace", "bad", "document", securedDocument(), "credential", "{{secret:x}}"));
        assertThat(badName.status()).isEqualTo(422);
        assertThat(badName.json().at("/errors/0/pointer").asString()).isEqualTo("/credential");
    }
}
