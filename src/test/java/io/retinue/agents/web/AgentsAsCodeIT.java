package io.retinue.agents.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

class AgentsAsCodeIT extends PlatformIT {

    @Test
    void exportsYamlThatImportsIdempotentlyUnderAnotherSlug() {
        String slug = uniqueSlug("yaml");
        api.post("/api/v1/agents", Agents.create(slug, Map.of("team", "docs")));
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-large", 0.5), "next"));

        Reply exported = api.get("/api/v1/agents/" + slug + "/export");
        assertThat(exported.status()).isEqualTo(200);
        assertThat(exported.contentType()).startsWith("application/yaml");
        assertThat(exported.body()).contains("apiVersion: retinue.dev/v1", "kind: Agent", "liveVersion: 1",
                "status: draft", "name: demo-large");

        String copy = uniqueSlug("copy");
        String document = exported.body().replace("slug: " + slug, "slug: " + copy);

        Reply first = importYaml(document);
        assertThat(first.status()).as("a creation: " + first).isEqualTo(201);
        assertThat(first.header("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith("/api/v1/agents/" + first.json().at("/agent/id").asString()));
        assertThat(first.json().get("created").asBoolean()).isTrue();
        assertThat(first.json().at("/agent/liveVersion").asInt()).isEqualTo(1);
        assertThat(first.json().at("/agent/draftVersion").asInt()).isEqualTo(2);

        Reply second = importYaml(document);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("created").asBoolean()).isFalse();
        assertThat(second.json().get("changed").asBoolean()).as("importing the same document again changes nothing").isFalse();
        assertThat(second.json().get("addedVersions")).isEmpty();
        assertThat(second.json().at("/agent/revision").asLong()).isEqualTo(first.json().at("/agent/revision").asLong());

        JsonNode original = api.get("/api/v1/agents/" + slug + "/versions/2").json();
        JsonNode imported = api.get("/api/v1/agents/" + copy + "/versions/2").json();
        assertThat(imported.get("configDigest")).isEqualTo(original.get("configDigest"));
    }

    @Test
    void importingAChangedDocumentAppendsVersionsAndMovesTheLiveOne() {
        String slug = uniqueSlug("json");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        JsonNode document = api.get("/api/v1/agents/" + slug + "/export?format=json&versions=live").json();
        assertThat(document.get("versions")).hasSize(1);

        tools.jackson.databind.node.ObjectNode changed = (tools.jackson.databind.node.ObjectNode) document.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) changed.at("/versions/0/config/model")).put("name", "demo-xl");
        ((tools.jackson.databind.node.ObjectNode) changed.at("/versions/0")).put("version", 5);
        changed.put("liveVersion", 5);
        ((tools.jackson.databind.node.ObjectNode) changed.get("metadata")).put("description", "from git");

        Reply result = api.call("POST", "/api/v1/agents/import").json(changed).send();
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(result.json().get("addedVersions").valueStream().map(JsonNode::asInt).toList()).containsExactly(2);
        JsonNode agent = api.get("/api/v1/agents/" + slug).json();
        assertThat(agent.get("liveVersion").asInt()).isEqualTo(2);
        assertThat(agent.get("description").asString()).isEqualTo("from git");
        assertThat(api.get("/api/v1/agents/" + slug + "/versions/1").json().at("/config/model/name").asString())
            .as("published history is not rewritten").isEqualTo("demo-echo");
    }

    @Test
    void invalidDocumentsAreRefusedWithEveryProblemAndNothingIsWritten() {
        String slug = uniqueSlug("broken");
        String yaml = """
                apiVersion: retinue.dev/v1
                kind: Agent
                metadata: { slug: %s, name: Broken }
                liveVersion: 3
                versions:
                  - version: 1
                    status: published
                    config:
                      model: { provider: demo, name: demo-echo, parameters: { topP: 7 } }
                      instructions: { system: "Hello {{who}}" }
                  - version: 1
                    status: draft
                    config:
                      model: { provider: demo, name: demo-echo }
                      instructions: { system: Hi }
                      colour: blue
                """.formatted(slug);

        Reply refused = importYaml(yaml);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(pointers(refused))
            .contains("/versions/0/config/model/parameters/topP", "/versions/0/config/instructions/system",
                    "/versions/1/config/colour");
        assertThat(api.get("/api/v1/agents/" + slug).status()).isEqualTo(404);

        Reply malformed = importYaml("kind: [unclosed");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("type").asString()).endsWith("/malformed-request");
    }

    @Test
    void documentConsistencyIsChecked() {
        String slug = uniqueSlug("dupes");
        String yaml = """
                apiVersion: retinue.dev/v1
                kind: Agent
                metadata: { slug: %s, name: Dupes }
                liveVersion: 4
                versions:
                  - { version: 1, status: published, config: { model: { provider: demo, name: a }, instructions: { system: x } } }
                  - { version: 1, status: published, config: { model: { provider: demo, name: b }, instructions: { system: y } } }
                """.formatted(slug);
        Reply refused = importYaml(yaml);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(pointers(refused))
            .containsExactlyInAnyOrder("/versions/1/version", "/liveVersion");
        assertThat(api.get("/api/v1/agents/" + slug).status()).isEqualTo(404);
    }

    private Reply importYaml(String yaml) {
        return api.call("POST", "/api/v1/agents/import").body(yaml, "application/yaml").send();
    }

    private static java.util.List<String> pointers(Reply problem) {
        return problem.json().get("errors").valueStream().map(error -> error.get("pointer").asString()).toList();
    }
}
