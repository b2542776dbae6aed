package io.retinue.gateway.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

import io.retinue.shared.Caller;
import io.retinue.shared.Role;
import io.retinue.shared.TenantId;

/**
 * External identity providers whose JWTs Retinue accepts ({@code retinue.auth.oidc[*]}): each is known by its issuer
 * and JWK set, and says how its claims map to a tenant (a fixed one or a claim) and to Retinue roles (a claim whose
 * values are mapped; unmapped values grant nothing).
 */
@ConfigurationProperties("retinue.auth")
public record OidcProviders(List<Provider> oidc) {

    /** One trusted issuer and its claim mapping. */
    public record Provider(String issuer, String jwkSetUri, String audience, String tenant, String tenantClaim,
            String rolesClaim, Map<String, String> roleMapping, String defaultRole) {

        public Provider {
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalStateException("retinue.auth.oidc[*].issuer is required");
            }
            jwkSetUri = jwkSetUri == null || jwkSetUri.isBlank() ? null : jwkSetUri;
            tenantClaim = tenantClaim == null ? "tenant" : tenantClaim;
            rolesClaim = rolesClaim == null ? "roles" : rolesClaim;
            roleMapping = roleMapping == null ? Map.of() : Map.copyOf(roleMapping);
        }

        /** The caller a verified token of this issuer stands for; refused when it names no existing tenant. */
        Caller callerOf(Jwt jwt, Predicate<TenantId> tenantExists) {
            String tenantId = tenant != null ? tenant : jwt.getClaimAsString(tenantClaim);
            if (tenantId == null) {
                throw new InvalidBearerTokenException("The token names no tenant");
            }
            Set<String> scopes = new LinkedHashSet<>();
            for (String external : values(claim(jwt, rolesClaim))) {
                String mapped = roleMapping.get(external);
                if (mapped != null) {
                    scopes.addAll(Role.valueOf(mapped.toUpperCase(Locale.ROOT)).scopes());
                }
            }
            if (scopes.isEmpty() && defaultRole != null) {
                scopes.addAll(Role.valueOf(defaultRole.toUpperCase(Locale.ROOT)).scopes());
            }
            TenantId id;
            try {
                id = new TenantId(tenantId);
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidBearerTokenException("The token names no valid tenant");
            }
            if (!tenantExists.test(id)) {
                throw new InvalidBearerTokenException("The token names a tenant that does not exist here (or is being "
                        + "removed)");
            }
            return new Caller(id, "oidc:" + jwt.getSubject(), scopes);
        }

        JwtDecoder decoder() {
            NimbusJwtDecoder decoder = jwkSetUri != null ? NimbusJwtDecoder.withJwkSetUri(jwkSetUri).build()
                    : NimbusJwtDecoder.withIssuerLocation(issuer).build();
            List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(
                    List.of(new JwtTimestampValidator(), new JwtIssuerValidator(issuer)));
            if (audience != null) {
                validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
                        aud -> aud != null && aud.contains(audience)));
            }
            decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
            return decoder;
        }

        /** A claim by name, or by a dotted path into nested objects ({@code realm_access.roles}). */
        private static Object claim(Jwt jwt, String path) {
            Object value = jwt.getClaims();
            for (String part : path.split("\\.")) {
                if (!(value instanceof Map<?, ?> map)) {
                    return null;
                }
                value = map.get(part);
            }
            return value;
        }

        private static Collection<String> values(Object claim) {
            if (claim instanceof Collection<?> many) {
                return many.stream().map(String::valueOf).toList();
            }
            return claim == null ? List.of() : List.of(claim.toString().split("[ ,]+"));
        }
    }

    public OidcProviders {
        oidc = oidc == null ? List.of() : List.copyOf(oidc);
        for (Provider provider : oidc) {
            for (String role : provider.roleMapping().values()) {
                requireRole(provider, role);
            }
            if (provider.defaultRole() != null) {
                requireRole(provider, provider.defaultRole());
            }
        }
    }

    private static void requireRole(Provider provider, String role) {
        try {
            Role.valueOf(role.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException("retinue.auth.oidc for " + provider.issuer() + " maps to unknown role '"
                    + role + "'");
        }
    }

    /** An authentication manager per trusted issuer, besides Retinue's own; callers of tenants not active are refused. */
    Map<String, AuthenticationManager> managers(String ownIssuer, JwtDecoder ownDecoder,
            Predicate<TenantId> tenantActive) {
        Map<String, AuthenticationManager> managers = new HashMap<>();
        managers.put(ownIssuer, manager(ownDecoder, jwt -> {
            Caller caller = AccessTokens.callerOf(jwt);
            if (!tenantActive.test(caller.tenant())) {
                throw new InvalidBearerTokenException("The token's tenant is being removed");
            }
            return new CallerAuthentication(caller);
        }));
        for (Provider provider : oidc) {
            managers.put(provider.issuer(),
                    manager(provider.decoder(), jwt -> new CallerAuthentication(provider.callerOf(jwt, tenantActive))));
        }
        return Map.copyOf(managers);
    }

    private static AuthenticationManager manager(JwtDecoder decoder,
            org.springframework.core.convert.converter.Converter<Jwt, ? extends org.springframework.security.authentication.AbstractAuthenticationToken> converter) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        provider.setJwtAuthenticationConverter(converter);
        return provider::authenticate;
    }
}
