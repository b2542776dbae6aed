package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Model provider connections a tenant defines over the API, with keys from the credential store. */
class ModelConnectionsIT extends PlatformIT {

    private static ObjectNode agent(String provider, String model) {
        ObjectNode body = Agents.create(uniqueSlug("conn"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        ((ObjectNode) config.get("model")).put("provider", provider).put("name", model);
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", "builtin.calculator"))));
        return body;
    }

    private static String publish(Api as, ObjectNode body) {
        Reply created = as.post("/api/v1/agents", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String slug = body.get("slug").asString();
        as.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        as.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.calculator", "effect", "allow"));
        return slug;
    }

    private static JsonNode run(Api as, String slug, String input) {
        return as.post("/api/v1/runs", Map.of("agent", slug, "input", input, "variables", Map.of("company", "ACME")))
            .json();
    }

    @Test
    void aTenantsOwnConnectionRunsItsAgentsWithTheKeyFromTheCredentialStore() {
        Api owner = newTenant(api, "mc").owner();
        assertThat(owner.put("/api/v1/credentials/model-key", Map.of("kind", "api_key", "fields",
                Map.of("value", FakeModelServer.API_KEY))).status()).isEqualTo(200);
        Reply defined = owner.put("/api/v1/model-providers/team-model", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl(), "models", List.of("demo-echo"), "credential", "credential:model-key"));
        assertThat(defined.status()).as(defined.toString()).isEqualTo(200);
        assertThat(defined.json().get("scope").asString()).isEqualTo("tenant");

        String slug = publish(owner, agent("team-model", "demo-echo"));
        JsonNode run = run(owner, slug, "use builtin__calculator with {\"expression\":\"6*7\"}");
        assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("completed");
        assertThat(run.at("/run/output").asString()).contains("42");

        Reply listed = owner.get("/api/v1/model-providers");
        assertThat(listed.json().valueStream().map(c -> c.get("name").asString() + ":" + c.get("scope").asString()))
            .contains("demo:installation", "fake:installation", "team-model:tenant");
        assertThat(listed.body()).as("no key in sight").doesNotContain(FakeModelServer.API_KEY);
        assertThat(owner.get("/api/v1/model-providers/team-model").json().get("credential").asString())
            .isEqualTo("credential:model-key");

        Reply notOffered = owner.post("/api/v1/agents", agent("team-model", "gpt-4o"));
        assertThat(notOffered.status()).isEqualTo(422);
        assertThat(notOffered.json().at("/errors/0/pointer").asString()).isEqualTo("/config/model/name");

        Api stranger = newTenant(api, "mx").owner();
        Reply elsewhere = stranger.post("/api/v1/agents", agent("team-model", "demo-echo"));
        assertThat(elsewhere.status()).as("another tenant does not see it").isEqualTo(422);
        assertThat(elsewhere.json().at("/errors/0/pointer").asString()).isEqualTo("/config/model/provider");
        assertThat(stranger.get("/api/v1/model-providers/team-model").status()).isEqualTo(404);

        // A changed connection takes effect at once: the wrong key now answers 401.
        owner.put("/api/v1/credentials/wrong-key", Map.of("kind", "api_key", "fields", Map.of("value", "sk-wrong")));
        owner.put("/api/v1/model-providers/team-model", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl(), "credential", "credential:wrong-key"));
        assertThat(run(owner, slug, "hello").at("/run/errorCode").asString()).isEqualTo("provider_auth");

        assertThat(owner.delete("/api/v1/model-providers/team-model").status()).isEqualTo(204);
        assertThat(run(owner, slug, "hello").at("/run/errorCode").asString()).isEqualTo("provider_not_configured");
    }

    @Test
    void connectionsAreCheckedBeforeTheyAreKept() {
        Api owner = newTenant(api, "mv").owner();
        assertThat(owner.put("/api/v1/model-providers/fake", Map.of("type", "openai")).json().get("type").asString())
            .endsWith("runtime/provider-name-reserved");
        Reply invalid = owner.put("/api/v1/model-providers/bad", Map.of("type", "cohere", "baseUrl",
                "http://10.1.2.3:8000/v1", "credential", "env:PATH", "timeoutSeconds", 0));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("errors").valueStream().map(e -> e.get("pointer").asString()))
            .containsExactlyInAnyOrder("/type", "/baseUrl", "/credential", "/timeoutSeconds");
        assertThat(owner.put("/api/v1/model-providers/bad", Map.of("type", "openai", "credential",
                "credential:nowhere")).json().at("/errors/0/pointer").asString()).isEqualTo("/credential");
        assertThat(owner.put("/api/v1/model-providers/bad", Map.of("type", "ollama")).json().at("/errors/0/pointer")
            .asString()).isEqualTo("/baseUrl");
        assertThat(owner.put("/api/v1/model-providers/Bad_Name", Map.of("type", "openai")).status()).isEqualTo(400);

        Reply unset = owner.put("/api/v1/model-providers/from-env", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl(), "credential", "env:RETINUE_TEST_UNSET_KEY"));
        assertThat(unset.status()).as("an allowed variable").isEqualTo(200);
        String slug = publish(owner, agent("from-env", "demo-echo"));
        JsonNode run = run(owner, slug, "hello");
        assertThat(run.at("/run/errorCode").asString()).as(run.toString()).isEqualTo("provider_key_missing");

        String reader = owner.post("/api/v1/api-keys", Map.of("name", "reader", "scopes", List.of("agents:read")))
            .json().get("secret").asString();
        assertThat(owner.as(reader).get("/api/v1/model-providers").status()).isEqualTo(200);
        assertThat(owner.as(reader).put("/api/v1/model-providers/mine", Map.of("type", "openai")).status())
            .isEqualTo(403);
    }
}
