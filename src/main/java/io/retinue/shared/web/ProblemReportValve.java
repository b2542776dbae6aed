package io.retinue.shared.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's own error report, for requests it refuses before they reach the application (a path it cannot decode or
 * normalise, a request line or headers over its limits): problem+json like every other error instead of an HTML page.
 */
final class ProblemReportValve extends ErrorReportValve {

    private final JsonMapper json;

    ProblemReportValve(JsonMapper json) {
        this.json = json;
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean();
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        HttpStatusCode code = HttpStatusCode.valueOf(status);
        byte[] body = json.writeValueAsBytes(Problems.of(StatusProblems.typeFor(code), code, detail(code),
                List.of(), Map.of()));
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.finishResponse();
        }
        catch (IOException | IllegalStateException ex) {
            // The client is gone or the response cannot take a body; there is no one left to tell.
        }
    }

    private static String detail(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "The request line, path or headers are malformed (an invalid %-escape, an encoded '/', "
                    + "'\\' or NUL, or a path leaving the root)";
            case 414, 431 -> "The request line or headers are too long";
            default -> {
                HttpStatus known = HttpStatus.resolve(status.value());
                yield known == null ? "The request failed" : known.getReasonPhrase();
            }
        };
    }
}
