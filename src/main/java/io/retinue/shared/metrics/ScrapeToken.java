package io.retinue.shared.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The bearer token a metrics scraper presents, kept as its SHA-256 digest and compared in constant time. None
 * configured: no request matches.
 */
record ScrapeToken(byte[] digest) {

    static ScrapeToken of(String token) {
        return new ScrapeToken(token == null || token.isBlank() ? null : sha256(token.strip()));
    }

    boolean matches(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (digest == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
