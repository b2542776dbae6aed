package io.retinue.gateway.internal;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import io.retinue.shared.ProblemType;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

/**
 * Authenticates {@code Authorization: Bearer rtn_…} or {@code X-API-Key: …}. A request presenting a key that is
 * unknown, malformed or revoked is refused at once with 401; one presenting none continues anonymously and is refused
 * later by authorization unless the route is public.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    static final String API_KEY_HEADER = "X-API-Key";
    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);

    /** How stale a key's last-used time may get before it is written again (one write per key per minute). */
    private final ApiKeyAuthentication authentication;
    private final AuditLog audit;
    private final ProblemWriter problems;

    ApiKeyFilter(ApiKeyAuthentication authentication, AuditLog audit, ProblemWriter problems) {
        this.authentication = authentication;
        this.audit = audit;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> presented = presentedKey(request);
        if (presented.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        ApiKeyAuthentication.Verdict verdict = authentication.verify(presented.get());
        if (!verdict.accepted()) {
            verdict.stored().ifPresentOrElse(
                    key -> audit.denied(key.tenant(), "key:" + key.id(), "auth.failed", request.getRequestURI(),
                            verdict.refusal()),
                    () -> log.warn("Refused an unknown or malformed API key for {} {}", request.getMethod(),
                            request.getRequestURI()));
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            problems.write(response, Problems.of(ProblemType.UNAUTHENTICATED, "The API key is not valid"));
            return;
        }
        ApiKey key = verdict.stored().orElseThrow();
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new CallerAuthentication(key.asCaller()));
        SecurityContextHolder.setContext(context);
        // No clearing here: Spring Security's SecurityContextHolderFilter clears the context once the whole chain,
        // including the access-denied handling that still needs it, is done.
        chain.doFilter(request, response);
    }

    private static Optional<String> presentedKey(HttpServletRequest request) {
        String header = request.getHeader(API_KEY_HEADER);
        if (header != null && !header.isBlank()) {
            return Optional.of(header);
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer rtn_", 0, 11)) {
            // Other bearer tokens are JWTs, verified by the resource server.
            return Optional.of(authorization.substring(7));
        }
        return Optional.empty();
    }
}
