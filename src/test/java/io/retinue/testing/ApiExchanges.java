package io.retinue.testing;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Notes what the application answered to each request of the public API — method, path, status and media type — over
 * every integration test that runs in this JVM, for the contract test to hold against the OpenAPI document. The
 * outermost filter, so it sees the status and media type the client got, from the security filters too.
 */
public final class ApiExchanges implements Filter {

    /** One answer: the request's method and path, the status and the media type (without parameters), if any. */
    public record Exchange(String method, String path, int status, String mediaType) {
    }

    private static final Set<Exchange> SEEN = ConcurrentHashMap.newKeySet();

    public static Set<Exchange> seen() {
        return Set.copyOf(SEEN);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        HttpServletRequest http = (HttpServletRequest) request;
        HttpServletResponse answer = (HttpServletResponse) response;
        if (!http.getRequestURI().startsWith("/api/")) {
            return;
        }
        if (http.isAsyncStarted()) {
            // A stream: its status and media type are set before its events go out; noted once it ends.
            http.getAsyncContext().addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    note(http, answer);
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
            });
            return;
        }
        note(http, answer);
    }

    private static void note(HttpServletRequest request, HttpServletResponse response) {
        String type = response.getContentType();
        String mediaType = type == null ? null : type.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        SEEN.add(new Exchange(request.getMethod(), request.getRequestURI(), response.getStatus(), mediaType));
    }
}
