package io.retinue.tools;

import java.time.Duration;
import java.util.Optional;

import io.retinue.shared.TenantId;

/** Runs tools, permission-checked, validated, guarded and recorded. */
public interface ToolCalls {

    /**
     * The longest timeout a tool may have ({@code timeoutMs}, which bounds its run and its retries): how long a caller
     * of {@link #call} may have to wait, besides deciding, validating and recording the call and, for an HTTP tool,
     * fetching its OAuth access token first (at most 10 s).
     */
    Duration MAX_TOOL_TIMEOUT = Duration.ofMinutes(5);

    ToolOutcome call(ToolCall call);

    /**
     * What became of the call made with this idempotency key, if it was recorded — so that a run resumed after a
     * crash learns whether a call it had started ran, without running it again.
     */
    Optional<ToolOutcome> recorded(TenantId tenant, String idempotencyKey);
}
