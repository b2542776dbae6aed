package io.retinue.gateway.internal;

import java.util.List;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerAuthenticationManagerResolver;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

import io.retinue.shared.ModuleSchema;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Scopes;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

import jakarta.servlet.DispatcherType;

/**
 * Secure by default: health probes and the API documentation are public, everything else needs an API key with the
 * right scope. Failures are problem+json like every other error.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ RateLimitProperties.class, OidcProviders.class })
class GatewaySecurity {

    static final String[] PUBLIC = { "/actuator/health", "/actuator/health/**", "/v3/api-docs", "/v3/api-docs/**",
            "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**", "/error", "/api/v1/auth/login",
            "/api/v1/auth/refresh", "/api/v1/auth/logout", "/.well-known/jwks.json" };

    /** Browser access from the configured origins only; none by default. */
    static CorsConfigurationSource cors(List<String> origins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (!origins.isEmpty()) {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOrigins(origins);
            cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
            cors.setAllowedHeaders(List.of("Authorization", "X-API-Key", "Content-Type", "If-Match", "If-None-Match",
                    "Idempotency-Key", "X-Request-Id", "traceparent"));
            cors.setExposedHeaders(List.of("ETag", "Location", "Link", "X-Request-Id", "Idempotent-Replayed",
                    "RateLimit", "RateLimit-Policy", "Retry-After"));
            cors.setMaxAge(3600L);
            source.registerCorsConfiguration("/api/**", cors);
        }
        return source;
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyAuthentication keys, AuditLog audit, RateLimits rateLimits,
            AccessTokens accessTokens, OidcProviders oidc, TenantDirectory tenants, @Value("${retinue.auth.issuer:retinue}") String issuer,
            ProblemWriter problems,
            @Value("${retinue.http.cors.allowed-origins:}") List<String> corsOrigins) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
            .cors(cors -> cors.configurationSource(cors(corsOrigins)))
            .headers(headers -> headers
                .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        PathPatternRequestMatcher.withDefaults().matcher("/api/**"),
                        new StaticHeadersWriter("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"))))
            .httpBasic(AbstractHttpConfigurer::disable)
            .formLogin(AbstractHttpConfigurer::disable)
            .logout(AbstractHttpConfigurer::disable)
            .requestCache(AbstractHttpConfigurer::disable)
            .anonymous(anonymous -> anonymous.principal("anonymous"))
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(requests -> requests.requestMatchers(PUBLIC)
                .permitAll()
                // An event stream ends with the container dispatching its request again: it was authorized when it
                // began (and a stateless request has no authentication left to check by then).
                .dispatcherTypeMatchers(DispatcherType.ASYNC)
                .permitAll()
                .requestMatchers(HttpMethod.POST, "/api/v1/agent-configs/validate")
                .hasAuthority(Scopes.AGENTS_READ)
                .requestMatchers(HttpMethod.GET, "/api/v1/agents/**", "/api/v1/agent-configs/**")
                .hasAuthority(Scopes.AGENTS_READ)
                .requestMatchers("/api/v1/agents/**", "/api/v1/agents", "/api/v1/agent-configs/**")
                .hasAuthority(Scopes.AGENTS_WRITE)
                .requestMatchers(HttpMethod.POST, "/api/v1/tools/*/invoke", "/api/v1/runs", "/api/v1/runs/*/cancel",
                        "/api/v1/runs/*/decision")
                .hasAuthority(Scopes.RUNS_EXECUTE)
                .requestMatchers(HttpMethod.GET, "/api/v1/runs", "/api/v1/runs/**", "/api/v1/sessions",
                        "/api/v1/sessions/**", "/api/v1/schedules", "/api/v1/schedules/**", "/api/v1/webhooks",
                        "/api/v1/webhook-deliveries")
                .hasAuthority(Scopes.RUNS_READ)
                .requestMatchers("/api/v1/sessions", "/api/v1/sessions/**", "/api/v1/schedules", "/api/v1/schedules/**",
                        "/api/v1/webhooks", "/api/v1/webhooks/**", "/api/v1/webhook-deliveries/**")
                .hasAuthority(Scopes.RUNS_EXECUTE)
                .requestMatchers(HttpMethod.GET, "/api/v1/model-providers", "/api/v1/model-providers/**")
                .hasAuthority(Scopes.AGENTS_READ)
                .requestMatchers("/api/v1/model-providers", "/api/v1/model-providers/**")
                .hasAuthority(Scopes.MODELS_ADMIN)
                // What runs may spend is read by whoever reads runs, and set by whoever sets the models they use.
                // And so is what their traces hold.
                .requestMatchers(HttpMethod.GET, "/api/v1/budgets", "/api/v1/budgets/**", "/api/v1/analytics/**",
                        "/api/v1/trace-settings")
                .hasAuthority(Scopes.RUNS_READ)
                .requestMatchers("/api/v1/budgets", "/api/v1/budgets/**", "/api/v1/trace-settings")
                .hasAuthority(Scopes.MODELS_ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/tool-permissions/check")
                .hasAuthority(Scopes.TOOLS_READ)
                .requestMatchers(HttpMethod.GET, "/api/v1/tools", "/api/v1/tools/**", "/api/v1/mcp-servers",
                        "/api/v1/mcp-servers/**", "/api/v1/credentials",
                        "/api/v1/tool-grants", "/api/v1/tool-permissions/**", "/api/v1/tool-executions",
                        "/api/v1/tool-executions/**")
                .hasAuthority(Scopes.TOOLS_READ)
                .requestMatchers("/api/v1/tools", "/api/v1/tools/**", "/api/v1/mcp-servers", "/api/v1/mcp-servers/**",
                        "/api/v1/credentials", "/api/v1/credentials/**",
                        "/api/v1/tool-grants", "/api/v1/tool-grants/**")
                .hasAuthority(Scopes.TOOLS_ADMIN)
                .requestMatchers("/api/v1/api-keys", "/api/v1/api-keys/**")
                .hasAuthority(Scopes.KEYS_MANAGE)
                .requestMatchers(HttpMethod.GET, "/api/v1/audit-events")
                .hasAuthority(Scopes.AUDIT_READ)
                .requestMatchers("/api/v1/users", "/api/v1/users/**")
                .hasAuthority(Scopes.USERS_MANAGE)
                .requestMatchers("/api/v1/tenants", "/api/v1/tenants/**", "/api/v1/auth/signing-keys/**")
                .hasAuthority(Scopes.PLATFORM_ADMIN)
                // Metrics, migrations and build info are the installation's, not a tenant's: its admin's alone.
                .requestMatchers("/actuator/**")
                .hasAuthority(Scopes.PLATFORM_ADMIN)
                .anyRequest()
                .authenticated())
            .addFilterBefore(new ApiKeyFilter(keys, audit, problems), AuthorizationFilter.class)
            .addFilterBefore(new RateLimitFilter(rateLimits, problems), AuthorizationFilter.class)
            .oauth2ResourceServer(oauth -> oauth.bearerTokenResolver(GatewaySecurity::jwtOnly)
                .authenticationManagerResolver(
                        new JwtIssuerAuthenticationManagerResolver(
                                oidc.managers(issuer, accessTokens.decoder(), tenants::isActive)::get))
                .authenticationEntryPoint(unauthenticated(problems, "The access token is not valid")))
            .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthenticated(problems,
                    "Present an API key or access token as 'Authorization: Bearer <token>' (or 'X-API-Key: <key>')"))
                .accessDeniedHandler((request, response, ex) -> {
                    if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication key) {
                        audit.denied(key.getPrincipal().tenant(), key.getPrincipal().principalId(), "access.denied",
                                request.getMethod() + " " + request.getRequestURI(), "missing scope");
                    }
                    problems.write(response,
                            Problems.of(ProblemType.FORBIDDEN, "The caller lacks the scope this operation needs"));
                }));
        return http.build();
    }

    /** The firewall's refusals (an encoded '/' or '%', a '..' segment, …) are problem+json like every other 400. */
    @Bean
    RequestRejectedHandler requestRejected(ProblemWriter problems) {
        // The firewall's own message quotes the rejected part of the URL back: not echoed to the client.
        return (request, response, ex) -> problems.write(response, Problems.of(ProblemType.MALFORMED_REQUEST,
                "The request's path or headers are not allowed (an encoded '/', '%', '.' or NUL, a '..' or '//' "
                        + "segment, or a character outside the permitted set)"));
    }

    private static AuthenticationEntryPoint unauthenticated(ProblemWriter problems, String detail) {
        return (request, response, ex) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            problems.write(response, Problems.of(ProblemType.UNAUTHENTICATED, detail));
        };
    }

    /** Bearer tokens that are not API keys are JWTs; API keys are the {@link ApiKeyFilter}'s. */
    private static String jwtOnly(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() || token.startsWith("rtn_") ? null : token;
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new DelegatingPasswordEncoder("argon2", Map.of("argon2",
                Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8(), "bcrypt", new BCryptPasswordEncoder()));
    }

    @Bean
    Flyway gatewayFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "gateway");
    }

    @Bean
    FlywayMigrationInitializer gatewayMigrations(@Qualifier("gatewayFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
