package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestIdentityProvider;

/** JWTs of an external OIDC provider, verified against its JWK set over HTTP and mapped to tenant and roles. */
class ExternalIdentityIT extends PlatformIT {

    private final TestIdentityProvider idp = TestIdentityProvider.get();

    @Test
    void mapsTheProvidersClaimsToTenantAndRoles() {
        Api engineer = api.as(idp.token("alice", "default", List.of("engineers", "offline_access")));
        assertThat(engineer.get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(engineer.post("/api/v1/agents", Agents.create(uniqueSlug("oidc"), Map.of())).status()).isEqualTo(201);
        assertThat(engineer.get("/api/v1/api-keys").status()).isEqualTo(403);

        Api auditor = api.as(idp.token("bob", "default", List.of("auditors")));
        assertThat(auditor.get("/api/v1/audit-events").status()).isEqualTo(200);
        assertThat(auditor.post("/api/v1/agents", Agents.create(uniqueSlug("no"), Map.of())).status()).isEqualTo(403);

        Api nobody = api.as(idp.token("carol", "default", List.of("unmapped")));
        assertThat(nobody.get("/api/v1/agents").status()).as("unmapped roles grant nothing").isEqualTo(403);
    }

    @Test
    void keepsTenantsApart() {
        String slug = uniqueSlug("mine");
        String id = api.post("/api/v1/agents", Agents.create(slug, Map.of())).json().get("id").asString();
        String org = "org" + java.util.UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.as(idp.token("mallory", org, List.of("engineers"))).get("/api/v1/agents").status())
            .as("a tenant that does not exist here").isEqualTo(401);
        api.post("/api/v1/tenants", Map.of("id", org, "name", "Another org"));
        Api outsider = api.as(idp.token("mallory", org, List.of("engineers")));
        assertThat(outsider.get("/api/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(outsider.get("/api/v1/agents?q=" + slug).json().get("items")).isEmpty();
    }

    @Test
    void refusesTokensTheProviderDidNotIssueAsConfigured() throws Exception {
        Instant now = Instant.now();
        assertThat(api.as(idp.token(new JWTClaimsSet.Builder().subject("x").claim("org", "default")
            .claim("realm_access", Map.of("roles", List.of("engineers"))).audience("someone-else"), idp.key()))
            .get("/api/v1/agents").status()).as("wrong audience").isEqualTo(401);
        assertThat(api.as(idp.token(new JWTClaimsSet.Builder().subject("x").claim("org", "default")
            .issueTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600))), idp.key()))
            .get("/api/v1/agents").status()).as("expired").isEqualTo(401);
        assertThat(api.as(idp.token(new JWTClaimsSet.Builder().subject("x").claim("org", "default"),
                new RSAKeyGenerator(2048).keyID("idp-key-1").generate()))
            .get("/api/v1/agents").status()).as("signed with another key").isEqualTo(401);
        assertThat(api.as(idp.token(new JWTClaimsSet.Builder().subject("x").claim("org", "default")
            .issuer("https://unknown.example"), idp.key())).get("/api/v1/agents").status()).as("untrusted issuer").isEqualTo(401);
        assertThat(api.as(idp.token(new JWTClaimsSet.Builder().subject("x")
            .claim("realm_access", Map.of("roles", List.of("engineers"))), idp.key()))
            .get("/api/v1/agents").status()).as("no tenant").isEqualTo(401);
    }
}
