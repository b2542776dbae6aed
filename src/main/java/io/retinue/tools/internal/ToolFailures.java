package io.retinue.tools.internal;

import java.io.UncheckedIOException;

import io.retinue.shared.outbound.OutboundUnavailable;

/**
 * Which failures of a tool call are transient — worth retrying (for idempotent tools) and counted against the tool's
 * breaker: the server could not be reached or broke off, it did not answer in time, or it answered 408, 429, 500,
 * 502, 503 or 504. Anything else (a 4xx, an error the tool reported, a refused address) is the call's own problem.
 */
final class ToolFailures {

    private ToolFailures() {
    }

    static boolean isTransient(Throwable failure) {
        return switch (failure) {
            case OutboundUnavailable unavailable -> unavailable.type() == OutboundUnavailable.TIMEOUT;
            case UncheckedIOException unreachable -> true;
            case McpServers.Unreachable unreachable -> true;
            case HttpTools.UpstreamError error -> error.isTransient();
            default -> false;
        };
    }
}
