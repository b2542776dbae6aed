package io.retinue.gateway.internal;

import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

/** How expensive a request is, for rate limiting: starting work is stricter than changing data, which is stricter than reading. */
public enum RouteClass {
    READ, WRITE, EXECUTE;

    static RouteClass of(HttpServletRequest request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return READ;
        }
        String path = request.getRequestURI();
        return "POST".equals(method) && (path.contains("/runs") || path.endsWith("/invoke")) ? EXECUTE : WRITE;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RouteClass fromWire(String text) {
        for (RouteClass value : values()) {
            if (value.wire().equals(text)) {
                return value;
            }
        }
        return null;
    }
}
