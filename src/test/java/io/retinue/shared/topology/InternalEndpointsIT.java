package io.retinue.shared.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.crypto.SecretBox;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/**
 * The internal endpoints answer Retinue's own processes only: an internal token for a module this process runs,
 * signed under the installation's key and unexpired. A client's API key, a token of another installation, an expired
 * one or one for another audience get 401 problem+json; a token confines its holder to its tenant.
 */
class InternalEndpointsIT extends PlatformIT {

    @Autowired
    InternalTokens tokens;

    @Autowired
    Clock clock;

    @Autowired
    SecretBox secrets;

    @Autowired
    Topology topology;

    @Test
    void answersAnInternalTokenAndNothingElse() {
        String slug = publishedAgent();
        String path = "/internal/v1/agents/" + slug + "/spec";
        Caller caller = new Caller(TenantId.DEFAULT, "service:test", Set.of());

        Api.Reply ok = withToken(path, tokens.mint(caller, "agents"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("slug").asString()).isEqualTo(slug);

        assertRefused(api.call("GET", path).send()); // the admin's API key
        assertRefused(api.call("GET", path).anonymous().send());
        assertRefused(withToken(path, tokens.mint(caller, "billing")));
        SecretBox otherInstallation = new SecretBox("b3RoZXItaW5zdGFsbGF0aW9uLW1hc3Rlci1rZXkhISE=", null);
        assertRefused(withToken(path, new InternalTokens(otherInstallation, clock, topology, Duration.ofSeconds(60))
            .mint(caller, "agents")));
        Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        assertRefused(withToken(path, new InternalTokens(secrets, hourAgo, topology, Duration.ofSeconds(60))
            .mint(caller, "agents")));
        String token = tokens.mint(caller, "agents");
        assertRefused(withToken(path, token.substring(0, token.length() - 2) + "xx"));
    }

    @Test
    void confinesTheTokenToItsTenant() {
        String slug = publishedAgent();
        Caller stranger = new Caller(new TenantId("someone-else"), "service:test", Set.of());
        Api.Reply reply = withToken("/internal/v1/agents/" + slug + "/spec", tokens.mint(stranger, "agents"));
        assertThat(reply.status()).isEqualTo(204);
    }

    @Test
    void areNoPartOfThePublicDocument() {
        assertThat(api.get("/v3/api-docs").body()).doesNotContain("/internal/");
    }

    private Api.Reply withToken(String path, String token) {
        return api.call("GET", path).anonymous().header("Authorization", "Bearer " + token).send();
    }

    private static void assertRefused(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("type").asString()).endsWith("/unauthenticated");
    }

    private String publishedAgent() {
        String slug = uniqueSlug("internal");
        api.post("/api/v1/agents", Map.of("slug", slug, "name", "Internal", "config",
                Map.of("model", Map.of("provider", "demo", "name", "demo-echo"), "instructions",
                        Map.of("system", "Hi")))).expect(201);
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", Map.of()).expect(200);
        return slug;
    }
}
