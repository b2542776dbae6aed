package io.retinue.shared.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import io.retinue.shared.DatabaseUnavailable;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The one place where failures become RFC 9457 problem+json: Spring MVC's own exceptions get Retinue's stable type
 * URIs, domain problems keep theirs, and anything unexpected is logged with the request id and answered without
 * internals.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(DomainProblem.class)
    ResponseEntity<ProblemDetail> domain(DomainProblem problem) {
        ProblemDetail body = Problems.of(problem.type(), problem.type().status(), problem.getMessage(),
                problem.violations(), problem.properties());
        if (problem.retryAfter() != null) {
            return ResponseEntity.status(body.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, problem.retryAfter().toSeconds())))
                .body(body);
        }
        return respond(body);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(DataIntegrityViolationException ex) {
        log.warn("Write refused by a database constraint: {}", ex.getMostSpecificCause().getMessage());
        return respond(Problems.of(ProblemType.CONFLICT, "The change conflicts with the current state of the resource"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception ex) {
        if (DatabaseUnavailable.causedBy(ex)) {
            // A transient fault, not a defect: one line, no stack trace, and the client is told when to try again.
            DatabaseUnavailable unavailable = DatabaseOutages.logged(ex);
            return domain(unavailable);
        }
        log.error("Unexpected failure while handling the request", ex);
        return respond(Problems.of(ProblemType.INTERNAL_ERROR,
                "An unexpected error occurred; quote the requestId when reporting it"));
    }

    /** A query parameter of the wrong type ({@code limit=abc}) is named, as every other invalid parameter is. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        if (ex instanceof MethodArgumentTypeMismatchException mismatch
                && mismatch.getParameter().hasParameterAnnotation(RequestParam.class)) {
            Class<?> type = mismatch.getRequiredType();
            String expected = type == null ? "of another form"
                    : type.isEnum() ? "one of " + java.util.Arrays.toString(type.getEnumConstants())
                    : Number.class.isAssignableFrom(type) || type == int.class || type == long.class ? "a number"
                    : type == Boolean.class || type == boolean.class ? "true or false"
                    : "a valid " + type.getSimpleName();
            ProblemDetail problem = Problems.of(ProblemType.INVALID_PARAMETER, ProblemType.INVALID_PARAMETER.status(),
                    "The query parameter '" + mismatch.getName() + "' must be " + expected,
                    List.of(new Violation(mismatch.getName(), "must be " + expected)), Map.of());
            return new ResponseEntity<>(problem, problemHeaders(), statusOf(problem));
        }
        return super.handleTypeMismatch(ex, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = notReadable(ex);
        return new ResponseEntity<>(problem, problemHeaders(), statusOf(problem));
    }

    /** Explains what was wrong with the body in terms the client can act on: where, and what was expected. */
    static ProblemDetail notReadable(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimit.BodyTooLarge tooLarge) {
                return Problems.of(ProblemType.PAYLOAD_TOO_LARGE, tooLarge.getMessage());
            }
            if (cause instanceof UnrecognizedPropertyException unknown) {
                String pointer = JsonPointers.of(unknown);
                return Problems.of(ProblemType.UNKNOWN_FIELD, ProblemType.UNKNOWN_FIELD.status(),
                        "Unknown field '" + unknown.getPropertyName() + "'",
                        List.of(new Violation(pointer, "is not a known field")), Map.of());
            }
            if (cause instanceof InvalidNullException | cause instanceof CollectionBounds.TooManyEntries
                    | cause instanceof WellFormedStrings.NotUnicode) {
                JacksonException invalid = (JacksonException) cause;
                String detail = invalid instanceof InvalidNullException ? "must not be null" : invalid.getOriginalMessage();
                return invalid(List.of(new Violation(JsonPointers.of(invalid), detail)));
            }
            if (cause instanceof InputCoercionException outOfRange) {
                return Problems.of(ProblemType.MALFORMED_REQUEST, ProblemType.MALFORMED_REQUEST.status(),
                        "A number is out of range",
                        List.of(new Violation(JsonPointers.of(outOfRange), "is out of range")), Map.of());
            }
            if (cause instanceof InvalidFormatException | cause instanceof MismatchedInputException) {
                JacksonException jackson = (JacksonException) cause;
                String pointer = JsonPointers.of(jackson);
                return Problems.of(ProblemType.MALFORMED_REQUEST, ProblemType.MALFORMED_REQUEST.status(),
                        "A field has the wrong type or form",
                        List.of(new Violation(pointer, "has the wrong type or form")), Map.of());
            }
            if (cause instanceof StreamReadException read) {
                String where = read.getLocation() == null ? ""
                        : " at line " + read.getLocation().getLineNr() + ", column " + read.getLocation().getColumnNr();
                return Problems.of(ProblemType.MALFORMED_REQUEST, "The request body is not well-formed" + where);
            }
        }
        return Problems.of(ProblemType.MALFORMED_REQUEST, "The request body is missing or cannot be read");
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Violation> violations = ex.getBindingResult().getFieldErrors().stream()
            .map(error -> new Violation("/" + error.getField().replace('.', '/'), error.getDefaultMessage()))
            .toList();
        return new ResponseEntity<>(invalid(violations), problemHeaders(), ProblemType.VALIDATION_FAILED.status());
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Violation> violations = new ArrayList<>();
        for (ParameterValidationResult result : ex.getParameterValidationResults()) {
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors()
                .forEach(error -> violations.add(new Violation(name, error.getDefaultMessage())));
        }
        return new ResponseEntity<>(invalid(violations), problemHeaders(), ProblemType.VALIDATION_FAILED.status());
    }

    /** Gives Spring MVC's own problem bodies (404, 405, 406, 415, …) Retinue's stable type URIs. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail
                : ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        ProblemType type = StatusProblems.typeFor(status);
        ProblemDetail mapped = Problems.of(type, status, detailOf(problem, type), List.of(), Map.of());
        HttpHeaders merged = new HttpHeaders();
        if (headers != null) {
            merged.putAll(headers);
        }
        merged.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(mapped, merged, status);
    }

    private static String detailOf(ProblemDetail problem, ProblemType type) {
        return problem.getDetail() != null ? problem.getDetail() : type.title();
    }

    private static ProblemDetail invalid(List<Violation> violations) {
        DomainProblem problem = DomainProblem.invalid(violations);
        return Problems.of(problem.type(), problem.type().status(), problem.getMessage(), violations, Map.of());
    }

    private static HttpStatusCode statusOf(ProblemDetail problem) {
        return HttpStatusCode.valueOf(problem.getStatus());
    }

    private static HttpHeaders problemHeaders() {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return headers;
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
