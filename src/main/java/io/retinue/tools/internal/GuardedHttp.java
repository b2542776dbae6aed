package io.retinue.tools.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.retinue.shared.outbound.AddressGuard;
import io.retinue.shared.outbound.OutboundCalls;

/**
 * The HTTP client of tools: every URL, and every redirect target, passes the {@link SsrfGuard} first; redirects are
 * followed by hand (at most five) for that reason; bodies are read only up to the caller's cap, and a longer body is
 * reported as truncated rather than silently cut. The caller's trace travels on as {@code traceparent}.
 */
@Component
class GuardedHttp {

    private static final int MAX_REDIRECTS = 5;

    /**
     * What came back: status, content type, the (possibly truncated) body and whether it was truncated, and the
     * {@code Retry-After} header (null without one).
     */
    record Answer(int status, String contentType, String body, boolean truncated, String retryAfter) {
    }

    private final SsrfGuard guard;
    private final HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    GuardedHttp(SsrfGuard guard) {
        this.guard = guard;
    }

    Answer send(String method, URI uri, Map<String, String> headers, String body, int maxBytes) {
        return send(method, uri, headers, body, maxBytes, null);
    }

    /** As above, waiting at most {@code timeout} for the answer (null: as long as the caller's own guard allows). */
    Answer send(String method, URI uri, Map<String, String> headers, String body, int maxBytes, Duration timeout) {
        URI target = uri;
        String currentMethod = method;
        String currentBody = body;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            guard.check(target);
            HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(currentMethod, currentBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(currentBody));
            headers.forEach(request::header);
            if (timeout != null) {
                request.timeout(timeout);
            }
            if (OutboundCalls.traceparent() != null) {
                request.header("traceparent", OutboundCalls.traceparent());
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            }
            catch (IOException ex) {
                throw new UncheckedIOException("cannot reach " + target.getHost() + ": " + ConnectionFailures.reason(ex,
                        ex.getMessage() != null ? ex.getMessage() : "the connection failed or was closed"), ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            }
            int status = response.statusCode();
            var location = response.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                close(response.body());
                target = target.resolve(location.get());
                if (status == 303 || ((status == 301 || status == 302) && !currentMethod.equals("GET"))) {
                    currentMethod = "GET";
                    currentBody = null;
                }
                continue;
            }
            return read(response, maxBytes);
        }
        throw new AddressGuard.Refused("more than " + MAX_REDIRECTS + " redirects");
    }

    private static Answer read(HttpResponse<InputStream> response, int maxBytes) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            boolean truncated = bytes.length > maxBytes;
            String body = new String(bytes, 0, Math.min(bytes.length, maxBytes), StandardCharsets.UTF_8);
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body,
                    truncated, response.headers().firstValue("Retry-After").orElse(null));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("reading the answer failed: " + ex.getMessage(), ex);
        }
    }

    private static void close(InputStream body) {
        try {
            body.close();
        }
        catch (IOException ex) {
            // the redirect's body does not matter
        }
    }
}
