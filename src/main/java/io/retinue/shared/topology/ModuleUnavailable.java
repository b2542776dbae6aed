package io.retinue.shared.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;

/** A module another process runs cannot be reached or did not answer as it should: 503 with {@code Retry-After}. */
public class ModuleUnavailable extends DomainProblem {

    public static final ProblemType TYPE = ProblemType.of("service-unavailable", HttpStatus.SERVICE_UNAVAILABLE,
            "Service unavailable");

    private final Duration retryAfter;

    ModuleUnavailable(String module, String detail, Duration retryAfter) {
        super(TYPE, detail, List.of(), Map.of("service", module));
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
