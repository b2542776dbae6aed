package io.retinue.shared;

import java.util.List;
import java.util.Map;

/**
 * An expected failure a module reports to its caller. It is mapped once, centrally, to problem+json, so modules
 * never build error bodies themselves.
 */
public class DomainProblem extends RuntimeException {

    private final ProblemType type;
    private final List<Violation> violations;
    private final Map<String, Object> properties;

    public DomainProblem(ProblemType type, String detail) {
        this(type, detail, List.of(), Map.of());
    }

    public DomainProblem(ProblemType type, String detail, List<Violation> violations, Map<String, Object> properties) {
        super(detail, null, false, false);
        this.type = type;
        this.violations = List.copyOf(violations);
        this.properties = Map.copyOf(properties);
    }

    public ProblemType type() {
        return type;
    }

    public List<Violation> violations() {
        return violations;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    /** When a client may try again, sent as {@code Retry-After}; null when retrying will not help. */
    public java.time.Duration retryAfter() {
        return null;
    }

    public static DomainProblem notFound(String what) {
        return new DomainProblem(ProblemType.NOT_FOUND, what + " was not found");
    }

    public static DomainProblem invalid(List<Violation> violations) {
        return new DomainProblem(ProblemType.VALIDATION_FAILED,
                violations.size() == 1 ? "1 problem was found in the request"
                        : violations.size() + " problems were found in the request",
                violations, Map.of());
    }

    public static DomainProblem invalidParameter(String parameter, String detail) {
        return new DomainProblem(ProblemType.INVALID_PARAMETER, detail, List.of(new Violation(parameter, detail)),
                Map.of());
    }
}
