package io.retinue.shared.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.slf4j.MDC;

import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;

/** Builds RFC 9457 bodies the one way every part of the edge answers with. */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail of(ProblemType type, String detail) {
        return of(type, type.status(), detail, List.of(), Map.of());
    }

    public static ProblemDetail of(ProblemType type, HttpStatusCode status, String detail, List<Violation> violations,
            Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        if (!violations.isEmpty()) {
            problem.setProperty("errors", violations);
        }
        properties.forEach(problem::setProperty);
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            problem.setProperty("requestId", requestId);
        }
        return problem;
    }
}
