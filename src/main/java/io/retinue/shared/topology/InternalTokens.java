package io.retinue.shared.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.crypto.SecretKey;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
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

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.crypto.SecretBox;

/**
 * The caller as one Retinue process hands it to another: a short-lived JWT (HS256 under a key derived from the
 * installation's master key, which every process of an installation shares) naming the tenant, principal, effective
 * scopes and agent restrictions, for one audience — the module it is sent to. Never a credential a client holds: the
 * gateway mints it after authenticating the client, services mint it for the caller they act for.
 * <p>
 * Signing and verifying cost a hop more than the rest of the token's handling (a tenth of the gateway's CPU per proxied
 * run, measured): a token minted for a caller is handed out again for the first half of its life, and a token verified
 * once is known by its exact text until it expires — the same text carries the same, already checked, signature.
 */
@Component
public class InternalTokens {

    static final String ISSUER = "retinue-internal";
    private static final String TENANT = "tenant";
    private static final String SCOPE = "scope";
    private static final String AGENTS = "agents";
    private static final String FROM = "from";
    /** Tokens minted, and tokens verified, kept at most (callers at a time, in practice). */
    private static final int CACHED = 4096;

    private final Clock clock;
    private final Duration ttl;
    private final String from;
    private final JwtEncoder encoder;
    private final JwtDecoder decoder;
    private final Cache<Audience, Minted> minted;
    private final Cache<String, Jwt> verified;

    InternalTokens(SecretBox secrets, Clock clock, Topology topology,
            @Value("${retinue.internal-tokens.ttl:60s}") Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
        this.from = topology.name();
        SecretKey key = secrets.derive("retinue internal tokens v1");
        this.encoder = NimbusJwtEncoder.withSecretKey(key).algorithm(MacAlgorithm.HS256).build();
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withSecretKey(key).macAlgorithm(MacAlgorithm.HS256).build();
        JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ofSeconds(5));
        timestamps.setClock(clock);
        // Only the modules this process runs are audiences it accepts: a token minted for another service is no key here.
        Set<String> audiences = topology.local();
        OAuth2TokenValidator<Jwt> validators = new DelegatingOAuth2TokenValidator<>(timestamps,
                new JwtIssuerValidator(ISSUER),
                new JwtClaimValidator<Collection<String>>(JwtClaimNames.AUD,
                        aud -> aud != null && aud.stream().anyMatch(audiences::contains)),
                new JwtClaimValidator<String>(TENANT, tenant -> tenant != null && !tenant.isBlank()));
        nimbus.setJwtValidator(validators);
        this.minted = Caffeine.newBuilder().maximumSize(CACHED).expireAfterWrite(ttl).build();
        this.verified = Caffeine.newBuilder().maximumSize(CACHED).expireAfterWrite(ttl).build();
        this.decoder = token -> {
            Jwt known = verified.getIfPresent(token);
            if (known != null && unexpired(known)) {
                return known;
            }
            Jwt jwt = nimbus.decode(token);
            if (jwt.getExpiresAt() == null) {
                throw new BadJwtException("An internal token must expire");
            }
            verified.put(token, jwt);
            return jwt;
        };
    }

    /** A caller's requests to one module: what a token is minted for. */
    private record Audience(Caller caller, String module) {
    }

    private record Minted(String token, Instant reusableUntil) {
    }

    private boolean unexpired(Jwt jwt) {
        return clock.instant().isBefore(jwt.getExpiresAt());
    }

    /** A token standing for {@code caller}, for requests to {@code module}: at least half its life left. */
    public String mint(Caller caller, String module) {
        Audience audience = new Audience(caller, module);
        Instant now = clock.instant();
        Minted known = minted.getIfPresent(audience);
        if (known != null && now.isBefore(known.reusableUntil())) {
            return known.token();
        }
        String token = sign(caller, module, now);
        minted.put(audience, new Minted(token, now.plus(ttl.dividedBy(2))));
        return token;
    }

    private String sign(Caller caller, String module, Instant now) {
        JwtClaimsSet claims = JwtClaimsSet.builder()
            .issuer(ISSUER)
            .audience(List.of(module))
            .subject(caller.principalId())
            .issuedAt(now)
            .expiresAt(now.plus(ttl))
            .claim(TENANT, caller.tenant().value())
            .claim(SCOPE, String.join(" ", new TreeSet<>(caller.scopes())))
            .claim(AGENTS, List.copyOf(new TreeSet<>(caller.agents())))
            .claim(FROM, from)
            .build();
        return encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
            .getTokenValue();
    }

    /**
     * Verifies signature, issuer, audience and time window; throws Spring Security's JwtException if any fails. A token
     * verified before is taken again by its text while it has not expired.
     */
    public JwtDecoder decoder() {
        return decoder;
    }

    /** The caller a verified token stands for. */
    public static Caller callerOf(Jwt jwt) {
        String scopes = jwt.getClaimAsString(SCOPE);
        List<String> agents = jwt.getClaimAsStringList(AGENTS);
        return new Caller(new TenantId(jwt.getClaimAsString(TENANT)), jwt.getSubject(),
                scopes == null || scopes.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(scopes.split(" "))),
                agents == null ? Set.of() : Set.copyOf(agents));
    }
}
