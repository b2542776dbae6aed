package io.retinue.tools;

import java.util.Optional;

import io.retinue.shared.TenantId;

/** Runs tools, permission-checked, validated, guarded and recorded. */
public interface ToolCalls {

    ToolOutcome call(ToolCall call);

    /**
     * What became of the call made with this idempotency key, if it was recorded — so that a run resumed after a
     * crash learns whether a call it had started ran, without running it again.
     */
    Optional<ToolOutcome> recorded(TenantId tenant, String idempotencyKey);
}
