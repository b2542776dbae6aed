package io.retinue.shared;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * An RFC 9457 problem type: a stable URI clients may switch on, the status it answers with and a short title. The
 * generic ones are here; modules declare their own next to the domain that raises them (see docs/errors.md).
 */
public record ProblemType(URI uri, HttpStatus status, String title) {

    public static final String BASE = "https://retinue.dev/problems/";

    public static final ProblemType MALFORMED_REQUEST = of("malformed-request", HttpStatus.BAD_REQUEST, "Malformed request");
    public static final ProblemType UNKNOWN_FIELD = of("unknown-field", HttpStatus.BAD_REQUEST, "Unknown field");
    public static final ProblemType INVALID_PARAMETER = of("invalid-parameter", HttpStatus.BAD_REQUEST, "Invalid parameter");
    public static final ProblemType VALIDATION_FAILED = of("validation-failed", HttpStatus.UNPROCESSABLE_CONTENT, "Validation failed");
    public static final ProblemType UNAUTHENTICATED = of("unauthenticated", HttpStatus.UNAUTHORIZED, "Authentication required");
    public static final ProblemType FORBIDDEN = of("forbidden", HttpStatus.FORBIDDEN, "Forbidden");
    public static final ProblemType NOT_FOUND = of("not-found", HttpStatus.NOT_FOUND, "Not found");
    public static final ProblemType METHOD_NOT_ALLOWED = of("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed");
    public static final ProblemType NOT_ACCEPTABLE = of("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable");
    public static final ProblemType CONFLICT = of("conflict", HttpStatus.CONFLICT, "Conflict");
    public static final ProblemType PRECONDITION_FAILED = of("precondition-failed", HttpStatus.PRECONDITION_FAILED, "Precondition failed");
    public static final ProblemType PAYLOAD_TOO_LARGE = of("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large");
    public static final ProblemType UNSUPPORTED_MEDIA_TYPE = of("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type");
    public static final ProblemType IDEMPOTENCY_KEY_REUSED = of("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused");
    public static final ProblemType INTERNAL_ERROR = of("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    public static ProblemType of(String slug, HttpStatus status, String title) {
        return new ProblemType(URI.create(BASE + slug), status, title);
    }
}
