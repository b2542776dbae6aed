package io.retinue.gateway.internal;

import java.io.IOException;
import java.util.stream.Collectors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import io.retinue.shared.ProblemType;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

/**
 * Applies {@link RateLimits} to authenticated requests, per principal and tenant, and to requests without credentials,
 * per client address (behind a proxy, with {@code server.forward-headers-strategy} set, the address it forwarded
 * for); says so in the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} headers; a refused request gets 429 with {@code Retry-After} (503 when the limiter is unavailable
 * and configured to fail closed).
 */
final class RateLimitFilter extends OncePerRequestFilter {

    static final ProblemType RATE_LIMITED = ProblemType.of("rate-limited", HttpStatus.TOO_MANY_REQUESTS,
            "Too many requests");
    static final ProblemType LIMITER_UNAVAILABLE = ProblemType.of("gateway/rate-limiter-unavailable",
            HttpStatus.SERVICE_UNAVAILABLE, "Rate limiter unavailable");

    private final RateLimits limits;
    private final ProblemWriter problems;

    RateLimitFilter(RateLimits limits, ProblemWriter problems) {
        this.limits = limits;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RateLimits.Decision decision;
        if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication authentication) {
            request.setAttribute(AccessLog.CALLER_ATTRIBUTE, authentication.getPrincipal());
            decision = limits.decide(authentication.getPrincipal(), RouteClass.of(request));
        }
        else if (request.getRequestURI().startsWith("/actuator/health")) {
            // Probes and load balancers poll health without credentials, often from one address: never limited.
            chain.doFilter(request, response);
            return;
        }
        else {
            // No credentials (presented ones that were refused got their 401 before this filter).
            decision = limits.decideAnonymous(request.getRemoteAddr());
        }
        request.setAttribute(RateLimits.Decision.class.getName(), decision.verdict());
        if (!decision.policies().isEmpty()) {
            response.setHeader("RateLimit-Policy",
                    decision.policies().stream().map(LimitPolicy::header).collect(Collectors.joining(", ")));
        }
        if (decision.tightest() != null) {
            response.setHeader("RateLimit", "\"" + decision.tightest().name() + "\";r=" + decision.remaining() + ";t="
                    + decision.secondsToReset());
        }
        switch (decision.verdict()) {
            case LIMITED -> {
                response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(decision.retryAfterSeconds()));
                problems.write(response, Problems.of(RATE_LIMITED, "The " + decision.tightest().name()
                        + " limit of " + decision.tightest().capacity() + " requests per "
                        + decision.tightest().period().toSeconds() + " s is used up; retry after "
                        + decision.retryAfterSeconds() + " s"));
            }
            case UNAVAILABLE -> {
                response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(decision.retryAfterSeconds()));
                problems.write(response, Problems.of(LIMITER_UNAVAILABLE,
                        "The rate limiter cannot be reached and this installation fails closed; retry shortly"));
            }
            default -> chain.doFilter(request, response);
        }
    }
}
