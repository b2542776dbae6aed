package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.gateway.Scopes;
import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.shared.TenantId;

class ApiKeyAuthenticationIT extends PlatformIT {

    @Autowired
    ApiKeys keys;

    @Autowired
    JdbcClient jdbc;

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
    }

    @Test
    void unknownMalformedAndRevokedKeysAreRefused() {
        assertThat(api.as("rtn_Unknown00000_abcdefghijklmnopqrstuvwxyz012345").get("/api/v1/agents").status()).isEqualTo(401);
        assertThat(api.as("rtn_TestAdmin001_abcdefghijklmnopqrstuvwxyz000000").get("/api/v1/agents").status())
            .as("right id, wrong secret").isEqualTo(401);
        assertThat(api.as("not-a-key").get("/api/v1/agents").status()).isEqualTo(401);
        Reply viaHeader = api.call("GET", "/api/v1/agents").anonymous().header("X-API-Key", ADMIN_KEY).send();
        assertThat(viaHeader.status()).isEqualTo(200);

        ApiKeySecret revoked = ApiKeySecret.generate();
        keys.add(revoked, TenantId.DEFAULT, "soon revoked", Set.of(Scopes.ADMIN));
        assertThat(api.as(revoked.token()).get("/api/v1/agents").status()).isEqualTo(200);
        jdbc.sql("UPDATE gateway.api_key SET revoked_at = CURRENT_TIMESTAMP WHERE id = :id").param("id", revoked.keyId()).update();
        assertThat(api.as(revoked.token()).get("/api/v1/agents").status()).isEqualTo(401);
    }

    @Test
    void scopesLimitWhatAKeyMayDo() {
        ApiKeySecret reader = ApiKeySecret.generate();
        keys.add(reader, TenantId.DEFAULT, "reader", Set.of(Scopes.AGENTS_READ));

        assertThat(api.as(reader.token()).get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(api.as(reader.token()).post("/api/v1/agent-configs/validate", Agents.config("demo-echo", 0.1)).status())
            .isEqualTo(200);
        Reply write = api.as(reader.token()).post("/api/v1/agents", Agents.create(uniqueSlug("scoped"), Map.of()));
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/forbidden");
    }

    @Test
    void onlyTheDigestOfAKeyIsStored() {
        String stored = jdbc.sql("SELECT secret_digest FROM gateway.api_key WHERE id = 'TestAdmin001'")
            .query(String.class)
            .single();
        assertThat(stored).hasSize(64).doesNotContain("abcdefghijklmnopqrstuvwxyz012345");
    }
}
