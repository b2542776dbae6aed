package io.retinue.agents.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestFixtures.ReceivedEvents;
import tools.jackson.databind.JsonNode;

class AgentLifecycleIT extends PlatformIT {

    @Autowired
    ReceivedEvents received;

    @Autowired
    JdbcClient jdbc;

    @Test
    void createsVersionOneAsDraftAndPublishesIt() {
        String slug = uniqueSlug("life");
        Reply created = api.post("/api/v1/agents", Agents.create(slug, Map.of("team", "support")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).hasValueSatisfying(location -> assertThat(location).contains(created.json().get("id").asString()));
        assertThat(created.header("ETag")).contains("\"1\"");
        assertThat(created.json().get("draftVersion").asInt()).isEqualTo(1);
        assertThat(created.json().get("liveVersion").isNull()).isTrue();

        Reply spec = api.get("/api/v1/agents/" + slug + "/spec");
        assertThat(spec.status()).isEqualTo(409);
        assertThat(spec.json().get("type").asString()).endsWith("/agents/version-not-published");

        Reply published = api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        assertThat(published.json().get("status").asString()).isEqualTo("published");
        assertThat(published.json().get("live").asBoolean()).isTrue();

        JsonNode runnable = api.get("/api/v1/agents/" + slug + "/spec").json();
        assertThat(runnable.get("version").asInt()).isEqualTo(1);
        assertThat(runnable.get("tenant").asString()).isEqualTo("default");
        assertThat(runnable.at("/config/limits/maxSteps").asInt()).as("defaults are explicit").isEqualTo(10);
        assertThat(runnable.at("/config/instructions/variables/0/required").asBoolean()).isTrue();
    }

    @Test
    void publishedVersionsCannotChange() {
        String slug = uniqueSlug("frozen");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");

        Reply revise = api.put("/api/v1/agents/" + slug + "/versions/1",
                Agents.version(Agents.config("demo-echo", 1.0), "try to rewrite history"));
        assertThat(revise.status()).isEqualTo(409);
        assertThat(revise.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/agents/version-immutable");
        assertThat(revise.contentType()).startsWith("application/problem+json");

        Reply again = api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        assertThat(again.status()).isEqualTo(409);

        JsonNode version = api.get("/api/v1/agents/" + slug + "/versions/1").json();
        assertThat(version.at("/config/model/parameters/temperature").asDouble()).isEqualTo(0.2);
    }

    @Test
    void draftsAreRevisedUntilPublishedAndOnlyOneIsOpen() {
        String slug = uniqueSlug("drafts");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        Reply revised = api.put("/api/v1/agents/" + slug + "/versions/1",
                Agents.version(Agents.config("demo-echo", 0.9), "warmer"));
        assertThat(revised.status()).as(revised.toString()).isEqualTo(200);
        assertThat(revised.json().at("/config/model/parameters/temperature").asDouble()).isEqualTo(0.9);

        Reply second = api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-echo", 0.1), "n"));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("type").asString()).endsWith("/agents/draft-exists");

        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        Reply v2 = api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-echo", 0.1), "cooler"));
        assertThat(v2.status()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(v2.json().get("status").asString()).isEqualTo("draft");
        assertThat(v2.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/versions/2"));
        assertThat(api.get("/api/v1/agents/" + slug).json().get("liveVersion").asInt()).isEqualTo(1);
    }

    @Test
    void rollsBackToAnEarlierPublishedVersionAndDiffsVersions() {
        String slug = uniqueSlug("rollback");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-large", 0.7), "bigger model"));
        api.post("/api/v1/agents/" + slug + "/versions/2/publish", "");
        assertThat(api.get("/api/v1/agents/" + slug).json().at("/model/name").asString()).isEqualTo("demo-large");

        Reply diff = api.get("/api/v1/agents/" + slug + "/diff?from=1&to=2");
        assertThat(diff.status()).isEqualTo(200);
        assertThat(diff.json().get("changes").valueStream().map(c -> c.get("op").asString() + " " + c.get("path").asString()).toList())
            .containsExactlyInAnyOrder("replace /model/name", "replace /model/parameters/temperature");
        assertThat(diff.json().at("/changes/0/from").isNull()).isFalse();

        Reply rollback = api.post("/api/v1/agents/" + slug + "/rollback", Map.of("version", 1));
        assertThat(rollback.status()).as(rollback.toString()).isEqualTo(200);
        JsonNode agent = api.get("/api/v1/agents/" + slug).json();
        assertThat(agent.get("liveVersion").asInt()).isEqualTo(1);
        assertThat(agent.at("/model/name").asString()).isEqualTo("demo-echo");
        assertThat(api.get("/api/v1/agents/" + slug + "/spec").json().get("version").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/agents/" + slug + "/spec?version=2").json().get("live").asBoolean()).isFalse();

        Reply toLive = api.post("/api/v1/agents/" + slug + "/rollback", Map.of("version", 1));
        assertThat(toLive.status()).isEqualTo(409);
        Reply toMissing = api.post("/api/v1/agents/" + slug + "/rollback", Map.of("version", 9));
        assertThat(toMissing.status()).isEqualTo(404);

        String id = agent.get("id").asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received.all())
            .filteredOn(AgentVersionPublished.class::isInstance)
            .map(AgentVersionPublished.class::cast)
            .filteredOn(event -> event.agentId().toString().equals(id))
            .extracting(AgentVersionPublished::version, AgentVersionPublished::rollback)
            .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(1, false), org.assertj.core.groups.Tuple.tuple(2, false),
                    org.assertj.core.groups.Tuple.tuple(1, true)));
    }

    @Test
    void staleWritesAreRefusedWith412AndReadsHonourIfNoneMatch() {
        String slug = uniqueSlug("etag");
        String etag = api.post("/api/v1/agents", Agents.create(slug, Map.of())).header("ETag").orElseThrow();

        Reply notModified = api.call("GET", "/api/v1/agents/" + slug).header("If-None-Match", etag).send();
        assertThat(notModified.status()).isEqualTo(304);
        Reply versionNotModified = api.call("GET", "/api/v1/agents/" + slug + "/versions/1")
            .header("If-None-Match", etag).send();
        assertThat(versionNotModified.status()).isEqualTo(304);
        assertThat(versionNotModified.header("ETag")).contains(etag);

        Reply first = api.call("PATCH", "/api/v1/agents/" + slug).header("If-Match", etag)
            .json(Map.of("description", "first writer")).send();
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.header("ETag")).contains("\"2\"");

        Reply stale = api.call("PATCH", "/api/v1/agents/" + slug).header("If-Match", etag)
            .json(Map.of("description", "second writer")).send();
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/precondition-failed");

        Reply stalePublish = api.call("POST", "/api/v1/agents/" + slug + "/versions/1/publish").header("If-Match", etag).send();
        assertThat(stalePublish.status()).isEqualTo(412);
        assertThat(api.get("/api/v1/agents/" + slug).json().get("description").asString()).isEqualTo("first writer");
        assertThat(api.get("/api/v1/agents/" + slug).json().get("liveVersion").isNull()).isTrue();
    }

    @Test
    void archivedAgentsTakeNoNewVersionsAndDeletionRemovesEverything() {
        String slug = uniqueSlug("archive");
        String id = api.post("/api/v1/agents", Agents.create(slug, Map.of())).json().get("id").asString();
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "");

        assertThat(api.post("/api/v1/agents/" + slug + "/archive", "").json().get("status").asString()).isEqualTo("archived");
        Reply refused = api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-echo", 0.3), "x"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).endsWith("/agents/agent-archived");
        assertThat(api.post("/api/v1/agents/" + slug + "/unarchive", "").json().get("status").asString()).isEqualTo("active");

        assertThat(api.delete("/api/v1/agents/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM agents.agent_version WHERE agent_id = :id")
            .param("id", java.util.UUID.fromString(id)).query(Long.class).single()).isZero();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(received.all()).anySatisfy(event -> assertThat(event)
                .isInstanceOfSatisfying(AgentArchived.class, archived -> assertThat(archived.slug()).isEqualTo(slug)));
            assertThat(received.all()).anySatisfy(event -> assertThat(event)
                .isInstanceOfSatisfying(AgentDeleted.class, deleted -> assertThat(deleted.slug()).isEqualTo(slug)));
            assertThat(jdbc.sql("SELECT COUNT(*) FROM event_publication WHERE completion_date IS NULL")
                .query(Long.class).single()).as("every publication is completed").isZero();
            assertThat(jdbc.sql("SELECT COUNT(*) FROM event_publication WHERE serialized_event LIKE :slug")
                .param("slug", "%" + slug + "%").query(Long.class).single())
                .as("completed publications are not kept").isZero();
        });
    }

    @Test
    void listsVersionsNewestFirstPageByPage() {
        String slug = uniqueSlug("pages");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        for (int v = 1; v <= 3; v++) {
            api.post("/api/v1/agents/" + slug + "/versions/" + v + "/publish", "");
            api.post("/api/v1/agents/" + slug + "/versions", Agents.version(Agents.config("demo-echo", v / 10.0), "v" + (v + 1)));
        }
        Reply first = api.get("/api/v1/agents/" + slug + "/versions?limit=3");
        assertThat(first.json().get("items").valueStream().map(v -> v.get("version").asInt())).containsExactly(4, 3, 2);
        assertThat(first.json().at("/items/0/status").asString()).isEqualTo("draft");
        assertThat(first.json().at("/items/1/live").asBoolean()).isTrue();
        Reply second = api.get("/api/v1/agents/" + slug + "/versions?limit=3&cursor=" + first.json().get("nextCursor").asString());
        assertThat(second.json().get("items").valueStream().map(v -> v.get("version").asInt())).containsExactly(1);
        assertThat(second.json().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void slugsAreUniquePerTenant() {
        String slug = uniqueSlug("unique");
        assertThat(api.post("/api/v1/agents", Agents.create(slug, Map.of())).status()).isEqualTo(201);
        Reply duplicate = api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("type").asString()).endsWith("/agents/slug-taken");
        assertThat(duplicate.json().at("/errors/0/pointer").asString()).isEqualTo("/slug");
    }
}
