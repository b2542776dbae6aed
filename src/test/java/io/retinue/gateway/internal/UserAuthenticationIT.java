package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

@ExtendWith(OutputCaptureExtension.class)
class UserAuthenticationIT extends PlatformIT {

    private static final String PASSWORD = "correct horse battery staple";

    @Autowired
    SigningKeys signingKeys;

    private String newUser(Api as, String role) {
        String email = "u" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Reply created = as.post("/api/v1/users", Map.of("email", email, "displayName", "Test", "password", PASSWORD,
                "role", role));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return email;
    }

    private Reply login(String tenant, String email, String password) {
        return api.call("POST", "/api/v1/auth/login").anonymous()
            .json(Map.of("tenant", tenant, "email", email, "password", password)).send();
    }

    private JsonNode session(String email) {
        Reply reply = login("default", email, PASSWORD);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void usersLogInAndActWithTheirRolesScopes(CapturedOutput output) {
        JsonNode session = session(newUser(api, "developer"));
        assertThat(session.get("tokenType").asString()).isEqualTo("Bearer");
        assertThat(session.get("expiresIn").asLong()).isBetween(890L, 900L);
        assertThat(session.get("refreshToken").asString()).startsWith("rtr_");
        Api developer = api.as(session.get("accessToken").asString());

        assertThat(developer.get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(developer.post("/api/v1/agents", Agents.create(uniqueSlug("jwt"), Map.of())).status()).isEqualTo(201);
        assertThat(developer.get("/api/v1/api-keys").status()).isEqualTo(403);
        assertThat(developer.post("/api/v1/users", Map.of("email", "x@example.com", "password", PASSWORD, "role", "viewer"))
            .status()).isEqualTo(403);

        JsonNode viewer = session(newUser(api, "viewer"));
        assertThat(api.as(viewer.get("accessToken").asString()).post("/api/v1/agents",
                Agents.create(uniqueSlug("viewer"), Map.of())).status()).isEqualTo(403);

        assertThat(output.getAll()).as("no password or token in any log line").doesNotContain(PASSWORD,
                session.get("accessToken").asString(), session.get("refreshToken").asString(),
                viewer.get("accessToken").asString());
    }

    @Test
    void refreshTokensRotateAndAReusedOneEndsTheSession() {
        JsonNode first = session(newUser(api, "viewer"));
        Reply second = api.call("POST", "/api/v1/auth/refresh").anonymous()
            .json(Map.of("refreshToken", first.get("refreshToken").asString())).send();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("refreshToken").asString()).isNotEqualTo(first.get("refreshToken").asString());
        assertThat(api.as(second.json().get("accessToken").asString()).get("/api/v1/agents").status()).isEqualTo(200);

        Reply replay = api.call("POST", "/api/v1/auth/refresh").anonymous()
            .json(Map.of("refreshToken", first.get("refreshToken").asString())).send();
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.json().get("type").asString()).endsWith("/gateway/refresh-failed");
        Reply afterTheft = api.call("POST", "/api/v1/auth/refresh").anonymous()
            .json(Map.of("refreshToken", second.json().get("refreshToken").asString())).send();
        assertThat(afterTheft.status()).as("the whole family is revoked").isEqualTo(401);
    }

    @Test
    void logoutEndsTheSession() {
        JsonNode session = session(newUser(api, "viewer"));
        assertThat(api.call("POST", "/api/v1/auth/logout").anonymous()
            .json(Map.of("refreshToken", session.get("refreshToken").asString())).send().status()).isEqualTo(204);
        assertThat(api.call("POST", "/api/v1/auth/refresh").anonymous()
            .json(Map.of("refreshToken", session.get("refreshToken").asString())).send().status()).isEqualTo(401);
    }

    @Test
    void repeatedFailuresLockTheAccountForAWhile() {
        String email = newUser(api, "viewer");
        for (int i = 0; i < 5; i++) {
            Reply wrong = login("default", email, "wrong password " + i);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.json().get("type").asString()).endsWith("/gateway/login-failed");
        }
        Reply locked = login("default", email, PASSWORD);
        assertThat(locked.status()).as("locked even with the right password").isEqualTo(401);
        assertThat(login("default", "nobody@example.com", PASSWORD).json().get("detail"))
            .as("an unknown user looks the same").isEqualTo(locked.json().get("detail"));
        assertThat(api.get("/api/v1/audit-events?action=login.failed&limit=200").body()).contains("locked");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
            .until(() -> login("default", email, PASSWORD).status() == 200);
    }

    @Test
    void forgedAndInvalidTokensAreRefused() throws Exception {
        RSAKey real = signingKeys.current();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(real.getKeyID()).generate();
        RSAKey unknownKid = new RSAKeyGenerator(2048).keyID("not-ours").generate();
        Instant now = Instant.now();

        assertRefused(new PlainJWT(claims(now, "retinue", "retinue-api").build()).serialize(), "alg none");
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(real.getKeyID()).build(),
                claims(now, "retinue", "retinue-api").build());
        hmac.sign(new MACSigner(real.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertRefused(hmac.serialize(), "HS256 signed with the public key");
        assertRefused(sign(stranger, claims(now, "retinue", "retinue-api")), "signed by another key with our kid");
        assertRefused(sign(unknownKid, claims(now, "retinue", "retinue-api")), "unknown kid");
        assertRefused(sign(real, claims(now.minusSeconds(3600), "retinue", "retinue-api")), "expired");
        assertRefused(sign(real, claims(now, "retinue", "retinue-api").notBeforeTime(Date.from(now.plusSeconds(600)))),
                "not yet valid");
        assertRefused(sign(real, claims(now, "https://evil.example", "retinue-api")), "wrong issuer");
        assertRefused(sign(real, claims(now, "retinue", "someone-else")), "wrong audience");

        String valid = sign(real, claims(now, "retinue", "retinue-api"));
        assertThat(api.as(valid).get("/api/v1/agents").status()).as("the same token, correctly made, works").isEqualTo(200);
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("\"viewer\"", "\"owner\"").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertRefused(tampered, "tampered payload");
    }

    @Test
    void rotatedKeysKeepVerifyingOldTokensAndArePublished() {
        String before = session(newUser(api, "viewer")).get("accessToken").asString();
        String newKid = api.post("/api/v1/auth/signing-keys/rotate", "").json().get("kid").asString();
        String after = session(newUser(api, "viewer")).get("accessToken").asString();

        assertThat(api.as(before).get("/api/v1/agents").status()).isEqualTo(200);
        assertThat(api.as(after).get("/api/v1/agents").status()).isEqualTo(200);
        JsonNode jwks = api.call("GET", "/.well-known/jwks.json").anonymous().send().json();
        List<String> kids = jwks.get("keys").valueStream().map(key -> key.get("kid").asString()).toList();
        assertThat(kids).contains(newKid, kidOf(before));
        assertThat(jwks.get("keys").valueStream()).allSatisfy(key -> assertThat(key.has("d")).as("no private part").isFalse());
        assertThat(kidOf(after)).isEqualTo(newKid);
    }

    @Test
    void disabledUsersCannotLogInOrRefreshAndRolesCannotEscalate() {
        String email = newUser(api, "operator");
        JsonNode session = session(email);
        String id = api.get("/api/v1/users").json().valueStream()
            .filter(user -> user.get("email").asString().equals(email)).findFirst().orElseThrow().get("id").asString();

        assertThat(api.patch("/api/v1/users/" + id, Map.of("role", "viewer")).json().get("role").asString()).isEqualTo("viewer");
        assertThat(api.delete("/api/v1/users/" + id).status()).isEqualTo(204);
        assertThat(login("default", email, PASSWORD).status()).isEqualTo(401);
        assertThat(api.call("POST", "/api/v1/auth/refresh").anonymous()
            .json(Map.of("refreshToken", session.get("refreshToken").asString())).send().status()).isEqualTo(401);

        String manager = issueKey(Map.of("name", "user-manager", "scopes", List.of("users:manage", "agents:read")));
        Reply escalation = api.as(manager).post("/api/v1/users",
                Map.of("email", "boss@example.com", "password", PASSWORD, "role", "admin"));
        assertThat(escalation.status()).isEqualTo(403);
        assertThat(api.as(manager).post("/api/v1/users",
                Map.of("email", "short@example.com", "password", "short", "role", "viewer")).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/users", Map.of("email", "short@example.com", "password", "short", "role", "viewer"))
            .status()).isEqualTo(422);
        assertThat(api.post("/api/v1/users", Map.of("email", email, "password", PASSWORD, "role", "viewer")).status())
            .isEqualTo(409);
    }

    @Test
    void usersOfAnotherTenantSeeNothingOfThisOne() {
        String tenant = "j" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Api owner = api.as(api.post("/api/v1/tenants", Map.of("id", tenant, "name", "Elsewhere")).json()
            .at("/ownerKey/secret").asString());
        String email = newUser(owner, "admin");
        Reply session = login(tenant, email, PASSWORD);
        Api stranger = api.as(session.json().get("accessToken").asString());

        String slug = uniqueSlug("private");
        String agentId = api.post("/api/v1/agents", Agents.create(slug, Map.of())).json().get("id").asString();
        assertThat(stranger.get("/api/v1/agents/" + agentId).status()).isEqualTo(404);
        assertThat(stranger.get("/api/v1/users").body()).doesNotContain("@example.com\",\"displayName\":\"Test\",\"role\":\"developer");
        assertThat(login("default", email, PASSWORD).status()).as("the user belongs to its tenant only").isEqualTo(401);
        String strangerId = owner.get("/api/v1/users").json().get(0).get("id").asString();
        assertThat(api.patch("/api/v1/users/" + strangerId, Map.of("role", "viewer")).status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/users/" + strangerId).status()).isEqualTo(404);
    }

    private String issueKey(Map<String, Object> request) {
        return api.post("/api/v1/api-keys", request).json().get("secret").asString();
    }

    private void assertRefused(String token, String why) {
        Reply reply = api.as(token).get("/api/v1/agents");
        assertThat(reply.status()).as(why).isEqualTo(401);
        assertThat(reply.contentType()).as(why).startsWith("application/problem+json");
    }

    private static JWTClaimsSet.Builder claims(Instant issued, String issuer, String audience) {
        return new JWTClaimsSet.Builder().issuer(issuer)
            .audience(audience)
            .subject(java.util.UUID.randomUUID().toString())
            .issueTime(Date.from(issued))
            .notBeforeTime(Date.from(issued))
            .expirationTime(Date.from(issued.plusSeconds(900)))
            .claim("tenant", "default")
            .claim("role", "viewer")
            .claim("scope", "agents:read");
    }

    private static String sign(RSAKey key, JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String kidOf(String token) {
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        return Api.JSON.readTree(header).get("kid").asString();
    }
}
