package io.retinue.runtime;

import java.time.Instant;
import java.util.UUID;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * A run stopped: it ended ({@code completed}, {@code failed}, {@code cancelled}, {@code timed_out}) or waits for a
 * person ({@code requires_action}). Published in the transaction that recorded it.
 */
public record RunEnded(UUID runId, TenantId tenant, String agent, int version, String status, String errorCode,
        Instant occurredAt) implements ServiceEvent {
}
