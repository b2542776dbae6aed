package io.retinue.shared.web;

import org.springframework.http.HttpStatusCode;

import io.retinue.shared.ProblemType;

/** The problem type Retinue uses for a bare HTTP status raised by the framework rather than by a module. */
final class StatusProblems {

    private StatusProblems() {
    }

    static ProblemType typeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> ProblemType.MALFORMED_REQUEST;
            case 401 -> ProblemType.UNAUTHENTICATED;
            case 403 -> ProblemType.FORBIDDEN;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 409 -> ProblemType.CONFLICT;
            case 412 -> ProblemType.PRECONDITION_FAILED;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 422 -> ProblemType.VALIDATION_FAILED;
            default -> ProblemType.INTERNAL_ERROR;
        };
    }
}
