package io.retinue.gateway.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

import io.retinue.shared.Caller;

/**
 * One access-log line per request (logger {@code retinue.access}): request id, tenant, principal (a key id, never a
 * secret), method, route template (never the raw query, which may carry secrets), status, latency, bytes in and out
 * and the rate-limit outcome. With structured logging on, every item is its own JSON field.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class AccessLog extends OncePerRequestFilter {

    static final String CALLER_ATTRIBUTE = Caller.class.getName();
    private static final Logger log = LoggerFactory.getLogger("retinue.access");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        CountingResponse counted = new CountingResponse(response);
        boolean async = false;
        try {
            chain.doFilter(request, counted);
            async = request.isAsyncStarted();
        }
        finally {
            if (async) {
                // A streamed response goes on after this thread has left: its line is written once it has ended.
                request.getAsyncContext().addListener(new Ended(request, counted, started, MDC.getCopyOfContextMap()));
            }
            else {
                write(request, counted, (System.nanoTime() - started) / 1_000_000.0);
            }
        }
    }

    /** Writes the line of a response that was finished on another thread, with the request's log context. */
    private record Ended(HttpServletRequest request, CountingResponse response, long started,
            Map<String, String> context) implements AsyncListener {

        @Override
        public void onComplete(AsyncEvent event) {
            Map<String, String> outer = MDC.getCopyOfContextMap();
            MDC.setContextMap(context == null ? Map.of() : context);
            try {
                write(request, response, (System.nanoTime() - started) / 1_000_000.0);
            }
            finally {
                MDC.setContextMap(outer == null ? Map.of() : outer);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    private static void write(HttpServletRequest request, CountingResponse response, double millis) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Object caller = request.getAttribute(CALLER_ATTRIBUTE);
        String tenant = caller instanceof Caller known ? known.tenant().value() : "-";
        String principal = caller instanceof Caller known ? known.principalId() : "anonymous";
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String route = pattern != null ? pattern.toString() : "(unmatched)";
        Object limited = request.getAttribute(RateLimits.Decision.class.getName());
        String rateLimit = limited == null ? "-" : limited.toString().toLowerCase(java.util.Locale.ROOT);
        long bytesIn = Math.max(0, request.getContentLengthLong());
        log.atInfo()
            .setMessage("{} {} {} {}ms tenant={} principal={} in={} out={} ratelimit={}")
            .addArgument(request.getMethod())
            .addArgument(route)
            .addArgument(response.getStatus())
            .addArgument(String.format(java.util.Locale.ROOT, "%.1f", millis))
            .addArgument(tenant)
            .addArgument(principal)
            .addArgument(bytesIn)
            .addArgument(response.bytes())
            .addArgument(rateLimit)
            .addKeyValue("http.method", request.getMethod())
            .addKeyValue("http.route", route)
            .addKeyValue("http.status", response.getStatus())
            .addKeyValue("latency_ms", millis)
            .addKeyValue("tenant", tenant)
            .addKeyValue("principal", principal)
            .addKeyValue("bytes_in", bytesIn)
            .addKeyValue("bytes_out", response.bytes())
            .addKeyValue("rate_limit", rateLimit)
            .log();
    }

    /** Counts the bytes of the response body as they are written, without buffering them. */
    private static final class CountingResponse extends HttpServletResponseWrapper {

        private long bytes;
        private ServletOutputStream stream;
        private PrintWriter writer;

        CountingResponse(HttpServletResponse response) {
            super(response);
        }

        long bytes() {
            if (writer != null) {
                writer.flush();
            }
            return bytes;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream delegate = super.getOutputStream();
                stream = new ServletOutputStream() {

                    @Override
                    public void write(int b) throws IOException {
                        delegate.write(b);
                        bytes++;
                    }

                    @Override
                    public void write(byte[] buffer, int offset, int length) throws IOException {
                        delegate.write(buffer, offset, length);
                        bytes += length;
                    }

                    @Override
                    public void flush() throws IOException {
                        delegate.flush();
                    }

                    @Override
                    public boolean isReady() {
                        return delegate.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        delegate.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                String encoding = getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : getCharacterEncoding();
                writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), encoding), false);
            }
            return writer;
        }
    }
}
