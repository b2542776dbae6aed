package io.retinue.shared;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;

/**
 * The database cannot be reached now: 503 with {@code Retry-After}. Such a fault is transient and says nothing about
 * the request or the run, so {@link #causedBy} tells it from any other failure — requests are answered with this
 * problem, and a run it interrupts is left to go on later rather than ended.
 */
public class DatabaseUnavailable extends DomainProblem {

    public static final ProblemType TYPE = ProblemType.of("database-unavailable", HttpStatus.SERVICE_UNAVAILABLE,
            "Database unavailable");

    /** What a client is told to wait before trying again. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    /**
     * SQLSTATEs of a lost or refused connection besides class 08: the server shuts down or crashed (57P01, 57P02), is
     * starting up (57P03), or has no connection to spare (53300).
     */
    private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "53300");

    public DatabaseUnavailable(String detail) {
        this(detail, Map.of());
    }

    public DatabaseUnavailable(String detail, Map<String, Object> properties) {
        super(TYPE, detail, java.util.List.of(), properties);
    }

    @Override
    public Duration retryAfter() {
        return RETRY_AFTER;
    }

    /** Whether {@code failure}, or anything it was caused by, says the database cannot be reached. */
    public static boolean causedBy(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = failure; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            if (cause instanceof DatabaseUnavailable
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof TransientDataAccessResourceException
                    || cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
