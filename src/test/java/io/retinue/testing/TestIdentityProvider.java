package io.retinue.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in external OIDC provider on loopback: it publishes its JWK set over real HTTP and signs tokens the way
 * Keycloak-like providers do (organisation claim, roles under {@code realm_access.roles}).
 */
public final class TestIdentityProvider {

    private static TestIdentityProvider instance;

    private final HttpServer server;
    private final RSAKey key;

    private TestIdentityProvider() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("idp-key-1").generate();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/idp/certs", exchange -> {
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static synchronized TestIdentityProvider get() {
        if (instance == null) {
            try {
                instance = new TestIdentityProvider();
            }
            catch (IOException | JOSEException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return instance;
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/idp";
    }

    public String jwkSetUri() {
        return issuer() + "/certs";
    }

    /** A token for {@code subject} of organisation {@code org} with the given roles, valid now. */
    public String token(String subject, String org, List<String> roles) {
        return token(new JWTClaimsSet.Builder().subject(subject)
            .claim("org", org)
            .claim("realm_access", Map.of("roles", roles)), key);
    }

    /** Signs claims as this provider, filling in issuer, audience and a valid time window where absent. */
    public String token(JWTClaimsSet.Builder claims, RSAKey signer) {
        Instant now = Instant.now();
        JWTClaimsSet draft = claims.build();
        JWTClaimsSet.Builder complete = new JWTClaimsSet.Builder(draft);
        if (draft.getIssuer() == null) {
            complete.issuer(issuer());
        }
        if (draft.getAudience() == null || draft.getAudience().isEmpty()) {
            complete.audience("retinue");
        }
        if (draft.getExpirationTime() == null) {
            complete.issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(),
                    complete.build());
            jwt.sign(new RSASSASigner(signer));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public RSAKey key() {
        return key;
    }
}
