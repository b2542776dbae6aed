package io.retinue.shared.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.crypto.SecretBox;
import io.retinue.testing.SettableClock;

/**
 * A token is handed out again only in the first half of its life and for the same caller and module, and a token
 * verified once is taken again only until it expires.
 */
class InternalTokensTest {

    private static final SecretBox SECRETS = new SecretBox("dGVzdC1pbnN0YWxsYXRpb24tbWFzdGVyLWtleSEhISE=", null);
    private static final Topology RUNTIME = new Topology(Set.of("runtime"), List.of());
    private static final Caller ALICE = new Caller(new TenantId("acme"), "alice", Set.of("runs:write"));

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-06T20:00:00Z"));
    private final InternalTokens tokens = new InternalTokens(SECRETS, clock, RUNTIME, Duration.ofSeconds(60));

    @Test
    void mintsATokenOnceForTheFirstHalfOfItsLife() {
        String first = tokens.mint(ALICE, "runtime");

        clock.advance(Duration.ofSeconds(29));
        assertThat(tokens.mint(ALICE, "runtime")).isEqualTo(first);
        assertThat(tokens.mint(ALICE, "agents")).isNotEqualTo(first);
        assertThat(tokens.mint(new Caller(new TenantId("acme"), "alice", Set.of("runs:read")), "runtime"))
            .isNotEqualTo(first);

        clock.advance(Duration.ofSeconds(2));
        String second = tokens.mint(ALICE, "runtime");
        assertThat(second).isNotEqualTo(first);
        assertThat(InternalTokens.callerOf(tokens.decoder().decode(second))).isEqualTo(ALICE);
        assertThat(tokens.decoder().decode(second).getExpiresAt()).isEqualTo(clock.instant().plusSeconds(60));
    }

    @Test
    void takesAVerifiedTokenAgainOnlyUntilItExpires() {
        String token = tokens.mint(ALICE, "runtime");
        assertThat(InternalTokens.callerOf(tokens.decoder().decode(token))).isEqualTo(ALICE);
        assertThat(InternalTokens.callerOf(tokens.decoder().decode(token))).isEqualTo(ALICE);

        clock.advance(Duration.ofSeconds(61));
        // Within the 5 s of clock skew allowed, verified afresh; past it, refused though it was taken before.
        assertThat(tokens.decoder().decode(token).getSubject()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> tokens.decoder().decode(token)).isInstanceOf(JwtException.class);
    }

    @Test
    void refusesWhatWasNeverVerified() {
        String token = tokens.mint(ALICE, "runtime");
        tokens.decoder().decode(token);

        assertThatThrownBy(() -> tokens.decoder().decode(token.substring(0, token.length() - 2) + "xx"))
            .isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> tokens.decoder().decode(tokens.mint(ALICE, "agents")))
            .isInstanceOf(JwtException.class);
        InternalTokens elsewhere = new InternalTokens(
                new SecretBox("b3RoZXItaW5zdGFsbGF0aW9uLW1hc3Rlci1rZXkhISE=", null), clock, RUNTIME,
                Duration.ofSeconds(60));
        assertThatThrownBy(() -> tokens.decoder().decode(elsewhere.mint(ALICE, "runtime")))
            .isInstanceOf(JwtException.class);
        String forever = NimbusJwtEncoder.withSecretKey(SECRETS.derive("retinue internal tokens v1"))
            .algorithm(MacAlgorithm.HS256)
            .build()
            .encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), JwtClaimsSet.builder()
                .issuer(InternalTokens.ISSUER)
                .audience(List.of("runtime"))
                .subject("alice")
                .claim("tenant", "acme")
                .build()))
            .getTokenValue();
        assertThatThrownBy(() -> tokens.decoder().decode(forever)).as("a token without an expiry")
            .isInstanceOf(JwtException.class);
    }
}
