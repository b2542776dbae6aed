package io.retinue.shared.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;

/**
 * An outbound target cannot be called now: its breaker is open or too many calls to it are in flight (503 with
 * {@code Retry-After}), or it did not answer in time (504).
 */
public class OutboundUnavailable extends DomainProblem {

    public static final ProblemType CIRCUIT_OPEN = ProblemType.of("outbound/circuit-open",
            HttpStatus.SERVICE_UNAVAILABLE, "Upstream unavailable");
    public static final ProblemType SATURATED = ProblemType.of("outbound/saturated", HttpStatus.SERVICE_UNAVAILABLE,
            "Upstream saturated");
    public static final ProblemType TIMEOUT = ProblemType.of("outbound/timeout", HttpStatus.GATEWAY_TIMEOUT,
            "Upstream timeout");

    private final Duration retryAfter;

    OutboundUnavailable(ProblemType type, String detail, String target, Duration retryAfter) {
        super(type, detail, List.of(), Map.of("target", target));
        this.retryAfter = retryAfter;
    }

    /** When the caller may try again; null when it cannot be known. */
    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
