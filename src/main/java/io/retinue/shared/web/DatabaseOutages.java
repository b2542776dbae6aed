package io.retinue.shared.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.retinue.shared.DatabaseUnavailable;

/**
 * Answers 503 {@code database-unavailable} with {@code Retry-After} when the database cannot be reached before a
 * controller does: API-key authentication, token verification and the audit log read or write it in filters, and a
 * failure there would otherwise reach the container as a 500. Inside the access log, so its line shows the 503.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 6)
public class DatabaseOutages extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutages.class);

    private final ProblemWriter problems;

    public DatabaseOutages(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        }
        catch (ServletException | IOException | RuntimeException failed) {
            if (!DatabaseUnavailable.causedBy(failed) || response.isCommitted()) {
                throw failed;
            }
            DatabaseUnavailable unavailable = logged(failed);
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(unavailable.retryAfter().toSeconds()));
            problems.write(response, Problems.of(unavailable.type(), unavailable.getMessage()));
        }
    }

    /** Logs an outage as one line (the cause, no stack trace) and answers the problem the client gets. */
    static DatabaseUnavailable logged(Throwable failure) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
        log.warn("The database cannot be reached; answered 503: {}: {}", cause.getClass().getSimpleName(),
                cause.getMessage());
        return failure instanceof DatabaseUnavailable known ? known
                : new DatabaseUnavailable("The database cannot be reached at the moment; try again shortly");
    }
}
