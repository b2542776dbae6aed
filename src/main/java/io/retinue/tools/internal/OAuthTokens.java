package io.retinue.tools.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.retinue.shared.TenantId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Access tokens for tools whose credential is an OAuth 2 client (client-credentials grant), fetched through the
 * SSRF-guarded client and kept in memory only, until a minute before they expire.
 */
@Component
class OAuthTokens {

    private record Cached(String token, Instant expiresAt, String fingerprint) {
    }

    private static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(10);

    private final GuardedHttp http;
    private final JsonMapper json;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    OAuthTokens(GuardedHttp http, JsonMapper json) {
        this.http = http;
        this.json = json;
    }

    String token(TenantId tenant, String name, JsonNode credential) {
        String key = tenant.value() + "/" + name;
        String fingerprint = Integer.toHexString(credential.toString().hashCode());
        Cached cached = cache.get(key);
        if (cached != null && cached.fingerprint().equals(fingerprint) && Instant.now().isBefore(cached.expiresAt())) {
            return cached.token();
        }
        String tokenUrl = credential.path("tokenUrl").asString("");
        if (tokenUrl.isEmpty() || credential.path("clientId").asString("").isEmpty()
                || credential.path("clientSecret").asString("").isEmpty()) {
            throw new HttpTools.UpstreamError("the credential '" + name + "' needs tokenUrl, clientId and clientSecret");
        }
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (!credential.path("scope").asString("").isEmpty()) {
            form.append("&scope=").append(URLEncoder.encode(credential.path("scope").asString(), StandardCharsets.UTF_8));
        }
        String basic = java.util.Base64.getEncoder().encodeToString((credential.path("clientId").asString() + ":"
                + credential.path("clientSecret").asString()).getBytes(StandardCharsets.UTF_8));
        GuardedHttp.Answer answer = http.send("POST", URI.create(tokenUrl), Map.of("Authorization", "Basic " + basic,
                "Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"), form.toString(), 65_536,
                // Fetched ahead of the tool's guarded call (see HttpTools.Prepared): bounded here instead.
                TOKEN_TIMEOUT);
        if (answer.status() >= 400) {
            throw new HttpTools.UpstreamError("the token endpoint of credential '" + name + "' answered HTTP "
                    + answer.status());
        }
        JsonNode body = json.readTree(answer.body());
        String token = body.path("access_token").asString("");
        if (token.isEmpty()) {
            throw new HttpTools.UpstreamError("the token endpoint of credential '" + name + "' returned no access_token");
        }
        long lifetime = body.path("expires_in").asLong(300);
        cache.put(key, new Cached(token, Instant.now().plusSeconds(Math.max(0, lifetime - 60)), fingerprint));
        return token;
    }
}
