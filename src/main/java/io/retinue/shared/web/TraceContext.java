package io.retinue.shared.web;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context ({@code traceparent}) for one request: the caller's trace continues when it sent a valid
 * header, otherwise a new trace starts. {@link #child()} is what outbound calls send on, so a trace crosses services.
 */
public record TraceContext(String traceId, String parentId, String flags) {

    public static final String HEADER = "traceparent";
    public static final String ATTRIBUTE = TraceContext.class.getName();

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String INVALID_TRACE = "0".repeat(32);
    private static final String INVALID_PARENT = "0".repeat(16);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Continues the trace of an incoming header, or starts a new one when the header is absent or malformed. */
    public static TraceContext continueOrStart(String header) {
        if (header != null) {
            var matcher = FORMAT.matcher(header.trim());
            if (matcher.matches() && !matcher.group(1).equals(INVALID_TRACE) && !matcher.group(2).equals(INVALID_PARENT)) {
                return new TraceContext(matcher.group(1), matcher.group(2), matcher.group(3));
            }
        }
        return new TraceContext(random(16), random(8), "01");
    }

    /** The header for a call made while handling this request: same trace, a new span id. */
    public String child() {
        return "00-" + traceId + "-" + random(8) + "-" + flags;
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
