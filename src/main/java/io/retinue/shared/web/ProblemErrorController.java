package io.retinue.shared.web;

import java.util.List;
import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Hidden;

/**
 * Answers errors raised outside Spring MVC (by the servlet container or a filter) with problem+json too, so no
 * client ever sees a container error page or a stack trace.
 */
@Hidden
@RestController
public class ProblemErrorController implements ErrorController {

    @RequestMapping(path = "/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatusCode status = code instanceof Integer value ? HttpStatusCode.valueOf(value)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        Object error = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ProblemDetail problem = error instanceof Throwable failure && status.value() == 400
                ? ProblemAdvice.notReadable(failure)
                : Problems.of(StatusProblems.typeFor(status), status, describe(status), List.of(), Map.of());
        return ResponseEntity.status(problem.getStatus())
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .body(problem);
    }

    private static String describe(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "The request failed" : known.getReasonPhrase();
    }
}
