package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

@ExtendWith(OutputCaptureExtension.class)
class ApiKeyAuthenticationIT extends PlatformIT {

    @Autowired
    JdbcClient jdbc;

    private JsonNode issue(Api as, Map<String, Object> request) {
        Reply reply = as.post("/api/v1/api-keys", request);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return reply.json();
    }

    private String issueKey(Map<String, Object> request) {
        return issue(api, request).get("secret").asString();
    }

    @Test
    void everythingButHealthAndDocsNeedsAKey() {
        Reply anonymous = api.call("GET", "/api/v1/agents").anonymous().send();
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(anonymous.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/unauthenticated");
        assertThat(anonymous.header("WWW-Authenticate")).contains("Bearer");

        assertThat(api.call("GET", "/actuator/health").anonymous().send().status()).isEqualTo(200);
        assertThat(api.call("GET", "/actuator/health/liveness").anonymous().send().status()).isEqualTo(200);
        assertThat(api.call("GET", "/actuator/health/readiness").anonymous().send().status()).isEqualTo(200);
        assertThat(api.call("GET", "/v3/api-docs").anonymous().send().status()).isEqualTo(200);
        assertThat(api.call("GET", "/swagger-ui/index.html").anonymous().send().status()).isEqualTo(200);
        assertThat(api.call("GET", "/actuator/info").anonymous().send().status()).isEqualTo(401);
        assertThat(api.get("/actuator/info").status()).isEqualTo(200);
        assertThat(api.call("GET", "/api/v1/api-keys").anonymous().send().status()).isEqualTo(401);
    }

    @Test
    void unknownMalformedAndWrongSecretKeysAreRefused() {
        assertThat(api.as("rtn_Unknown00000_abcdefghijklmnopqrstuvwxyz012345").get("/api/v1/agents").status()).isEqualTo(401);
        assertThat(api.as("rtn_TestAdmin001_abcdefghijklmnopqrstuvwxyz000000").get("/api/v1/agents").status())
            .as("right id, wrong secret").isEqualTo(401);
        assertThat(api.as("not-a-key").get("/api/v1/agents").status()).isEqualTo(401);
        Reply viaHeader = api.call("GET", "/api/v1/agents").anonymous().header("X-API-Key", ADMIN_KEY).send();
        assertThat(viaHeader.status()).isEqualTo(200);
    }

    @Test
    void issuedKeysAreShownOnceAndListedWithoutSecrets(CapturedOutput output) {
        JsonNode issued = issue(api, Map.of("name", "ci", "scopes", List.of("agents:read")));
        String secret = issued.get("secret").asString();
        String id = issued.at("/key/id").asString();
        assertThat(secret).startsWith("rtn_" + id + "_");
        assertThat(issued.at("/key/state").asString()).isEqualTo("active");

        assertThat(api.as(secret).get("/api/v1/agents").status()).isEqualTo(200);
        Reply listed = api.get("/api/v1/api-keys?limit=200");
        assertThat(listed.body()).contains(id).doesNotContain(secret);
        JsonNode one = api.get("/api/v1/api-keys/" + id).json();
        assertThat(one.get("lastUsedAt").isNull()).as("last use is recorded").isFalse();
        assertThat(one.get("secret")).isNull();

        String stored = jdbc.sql("SELECT secret_digest FROM gateway.api_key WHERE id = :id").param("id", id)
            .query(String.class).single();
        assertThat(stored).hasSize(64).isNotEqualTo(secret);
        assertThat(output.getAll()).as("no secret in any log line").doesNotContain(secret, ADMIN_KEY);
    }

    @Test
    void scopesAndRolesLimitWhatAKeyMayDo() {
        String reader = issueKey(Map.of("name", "reader", "scopes", List.of("agents:read")));
        assertThat(api.as(reader).get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(api.as(reader).post("/api/v1/agent-configs/validate", Agents.config("demo-echo", 0.1)).status()).isEqualTo(200);
        Reply write = api.as(reader).post("/api/v1/agents", Agents.create(uniqueSlug("scoped"), Map.of()));
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/forbidden");
        assertThat(api.as(reader).get("/api/v1/api-keys").status()).isEqualTo(403);
        assertThat(api.as(reader).get("/api/v1/audit-events").status()).isEqualTo(403);
        assertThat(api.as(reader).get("/actuator/info").status()).isEqualTo(403);

        String developer = issueKey(Map.of("name", "dev", "role", "developer"));
        assertThat(api.as(developer).post("/api/v1/agents", Agents.create(uniqueSlug("dev"), Map.of())).status()).isEqualTo(201);
        assertThat(api.as(developer).get("/api/v1/api-keys").status()).isEqualTo(403);

        String operator = issueKey(Map.of("name", "ops", "role", "operator"));
        assertThat(api.as(operator).get("/api/v1/audit-events").status()).isEqualTo(200);
        assertThat(api.as(operator).post("/api/v1/agents", Agents.create(uniqueSlug("ops"), Map.of())).status()).isEqualTo(403);

        Reply denials = api.get("/api/v1/audit-events?action=access.denied&limit=200");
        assertThat(denials.json().get("items").valueStream().map(e -> e.get("target").asString()))
            .contains("POST /api/v1/agents", "GET /api/v1/api-keys");
    }

    @Test
    void aKeyCannotGrantMoreThanItHolds() {
        String manager = issueKey(Map.of("name", "manager", "scopes", List.of("keys:manage", "agents:read")));
        Reply escalation = api.as(manager).post("/api/v1/api-keys", Map.of("name", "x", "scopes", List.of("agents:write")));
        assertThat(escalation.status()).isEqualTo(403);
        assertThat(escalation.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/gateway/scope-escalation");
        assertThat(api.as(manager).post("/api/v1/api-keys", Map.of("name", "x", "role", "admin")).status()).isEqualTo(403);
        assertThat(api.as(manager).post("/api/v1/api-keys", Map.of("name", "x", "scopes", List.of("agents:read"))).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/api-keys", Map.of("name", "x", "scopes", List.of("root"))).status()).isEqualTo(422);
        assertThat(api.post("/api/v1/api-keys", Map.of("name", "x")).status()).isEqualTo(422);
        assertThat(api.get("/api/v1/audit-events?action=api_key.created&outcome=denied").json().get("items")).isNotEmpty();
    }

    @Test
    void revokedKeysAreRefusedAtOnce() {
        JsonNode issued = issue(api, Map.of("name", "short-lived", "scopes", List.of("agents:read")));
        String secret = issued.get("secret").asString();
        assertThat(api.as(secret).get("/api/v1/agents").status()).isEqualTo(200);

        assertThat(api.delete("/api/v1/api-keys/" + issued.at("/key/id").asString()).status()).isEqualTo(204);

        assertThat(api.as(secret).get("/api/v1/agents").status()).isEqualTo(401);
        assertThat(api.get("/api/v1/api-keys/" + issued.at("/key/id").asString()).json().get("state").asString()).isEqualTo("revoked");
        JsonNode failures = api.get("/api/v1/audit-events?action=auth.failed&actor=key:" + issued.at("/key/id").asString()).json();
        assertThat(failures.at("/items/0/detail").asString()).isEqualTo("revoked key");
    }

    @Test
    void expiredKeysAreRefused() {
        String secret = issueKey(Map.of("name", "expiring", "scopes", List.of("agents:read"), "expiresAt",
                Instant.now().plusSeconds(2).toString()));
        assertThat(api.as(secret).get("/api/v1/agents").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.as(secret).get("/api/v1/agents").status() == 401);
        assertThat(api.post("/api/v1/api-keys", Map.of("name", "past", "scopes", List.of("agents:read"), "expiresAt",
                "2020-01-01T00:00:00Z")).status()).isEqualTo(422);
    }

    @Test
    void rotationKeepsTheOldKeyForTheOverlapOnly() {
        JsonNode first = issue(api, Map.of("name", "rotating", "scopes", List.of("agents:read")));
        String oldSecret = first.get("secret").asString();
        String oldId = first.at("/key/id").asString();

        Reply rotated = api.post("/api/v1/api-keys/" + oldId + "/rotate", Map.of("overlapSeconds", 3600));
        assertThat(rotated.status()).isEqualTo(201);
        String newSecret = rotated.json().get("secret").asString();
        assertThat(rotated.json().at("/key/scopes/0").asString()).isEqualTo("agents:read");
        assertThat(api.as(newSecret).get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(api.as(oldSecret).get("/api/v1/agents").status()).as("within the overlap").isEqualTo(200);
        assertThat(api.get("/api/v1/api-keys/" + oldId).json().get("replacedBy").asString())
            .isEqualTo(rotated.json().at("/key/id").asString());

        JsonNode second = issue(api, Map.of("name", "rotating-now", "scopes", List.of("agents:read")));
        api.post("/api/v1/api-keys/" + second.at("/key/id").asString() + "/rotate", Map.of("overlapSeconds", 0));
        assertThat(api.as(second.get("secret").asString()).get("/api/v1/agents").status()).isEqualTo(401);
    }

    @Test
    void tenantsAreIsolatedAndProbingAnswers404() {
        String tenant = "t" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Reply created = api.post("/api/v1/tenants", Map.of("id", tenant, "name", "Other Corp"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Api other = api.as(created.json().at("/ownerKey/secret").asString());
        assertThat(api.post("/api/v1/tenants", Map.of("id", tenant, "name", "Again")).status()).isEqualTo(409);

        String slug = uniqueSlug("mine");
        String agentId = api.post("/api/v1/agents", Agents.create(slug, Map.of())).json().get("id").asString();
        String keyId = issue(api, Map.of("name", "mine", "scopes", List.of("agents:read"))).at("/key/id").asString();

        assertThat(other.get("/api/v1/agents/" + agentId).status()).isEqualTo(404);
        assertThat(other.get("/api/v1/agents/" + slug).status()).isEqualTo(404);
        assertThat(other.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/agents/" + agentId).status()).isEqualTo(404);
        assertThat(other.get("/api/v1/agents?q=" + slug).json().get("items")).isEmpty();
        assertThat(other.get("/api/v1/api-keys/" + keyId).status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/api-keys/" + keyId).status()).isEqualTo(404);
        assertThat(other.get("/api/v1/audit-events?limit=200").body()).doesNotContain(keyId);
        assertThat(other.post("/api/v1/tenants", Map.of("id", tenant + "x", "name", "No")).status())
            .as("a tenant owner is not a platform admin").isEqualTo(403);

        assertThat(other.post("/api/v1/agents", Agents.create(slug, Map.of())).status())
            .as("slugs are unique per tenant only").isEqualTo(201);
        assertThat(api.get("/api/v1/agents/" + slug).json().get("id").asString()).isEqualTo(agentId);
    }
}
