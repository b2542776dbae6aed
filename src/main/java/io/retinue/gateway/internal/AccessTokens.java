package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;

/**
 * Retinue's own access tokens: short-lived RS256 JWTs naming the user, tenant, role and scopes. Verification accepts
 * only RS256 signatures by a published signing key, our issuer and audience, and a valid time window — so
 * {@code alg: none}, HMAC tokens signed with a public key, unknown key ids, foreign issuers or audiences and expired
 * or not-yet-valid tokens are all refused.
 */
@Component
public class AccessTokens {

    static final String TENANT_CLAIM = "tenant";
    static final String SCOPE_CLAIM = "scope";
    static final String ROLE_CLAIM = "role";

    /** A token as handed to a client. */
    public record Issued(String token, Instant expiresAt) {
    }

    private final SigningKeys keys;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final Duration ttl;
    private final JwtEncoder encoder;
    private final JwtDecoder decoder;

    AccessTokens(SigningKeys keys, Clock clock, @Value("${retinue.auth.issuer:retinue}") String issuer,
            @Value("${retinue.auth.audience:retinue-api}") String audience,
            @Value("${retinue.auth.access-token-ttl:15m}") Duration ttl) {
        this.keys = keys;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
        this.ttl = ttl;
        this.encoder = new NimbusJwtEncoder(keys.signing());
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys.verifying()));
        NimbusJwtDecoder nimbus = new NimbusJwtDecoder(processor);
        JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ofSeconds(30));
        timestamps.setClock(clock);
        OAuth2TokenValidator<Jwt> validators = new DelegatingOAuth2TokenValidator<>(timestamps,
                new JwtIssuerValidator(issuer),
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience)),
                new JwtClaimValidator<String>(TENANT_CLAIM, tenant -> tenant != null && !tenant.isBlank()));
        nimbus.setJwtValidator(validators);
        this.decoder = nimbus;
    }

    Issued issue(User user) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JwtClaimsSet claims = JwtClaimsSet.builder()
            .issuer(issuer)
            .audience(List.of(audience))
            .subject(user.id().toString())
            .issuedAt(now)
            .notBefore(now)
            .expiresAt(expires)
            .id(UUID.randomUUID().toString())
            .claim(TENANT_CLAIM, user.tenant().value())
            .claim(ROLE_CLAIM, user.role().wire())
            .claim(SCOPE_CLAIM, String.join(" ", new TreeSet<>(user.role().scopes())))
            .build();
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(keys.current().getKeyID()).build();
        return new Issued(encoder.encode(JwtEncoderParameters.from(header, claims)).getTokenValue(), expires);
    }

    JwtDecoder decoder() {
        return decoder;
    }

    /** The caller a verified token stands for. */
    static Caller callerOf(Jwt jwt) {
        String scopes = jwt.getClaimAsString(SCOPE_CLAIM);
        return new Caller(new TenantId(jwt.getClaimAsString(TENANT_CLAIM)), "user:" + jwt.getSubject(),
                scopes == null || scopes.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(scopes.split(" "))));
    }
}
