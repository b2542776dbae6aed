package io.retinue.gateway.internal;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import io.retinue.shared.ProblemType;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

/**
 * Authenticates {@code Authorization: Bearer rtn_…} or {@code X-API-Key: rtn_…}. A request presenting a key that is
 * unknown, malformed or revoked is refused at once with 401; one presenting none continues anonymously and is refused
 * later by authorization unless the route is public.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    static final String API_KEY_HEADER = "X-API-Key";

    private final ApiKeys keys;
    private final ProblemWriter problems;

    ApiKeyFilter(ApiKeys keys, ProblemWriter problems) {
        this.keys = keys;
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
        Optional<ApiKey> key = ApiKeySecret.parse(presented.get())
            .flatMap(secret -> keys.find(secret.keyId()).filter(stored -> secret.matches(stored.secretDigest())))
            .filter(ApiKey::isActive);
        if (key.isEmpty()) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            problems.write(response, Problems.of(ProblemType.UNAUTHENTICATED, "The API key is not valid"));
            return;
        }
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new ApiKeyAuthentication(key.get().asCaller()));
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        }
        finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static Optional<String> presentedKey(HttpServletRequest request) {
        String header = request.getHeader(API_KEY_HEADER);
        if (header != null && !header.isBlank()) {
            return Optional.of(header);
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7));
        }
        return Optional.empty();
    }
}
