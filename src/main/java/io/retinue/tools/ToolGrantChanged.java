package io.retinue.tools;

import java.time.Instant;
import java.util.UUID;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * A tenant's tool grants changed: one was added or revoked, so which tools its agents may be offered may have changed
 * too (each call is still decided against the grants as they are then).
 */
public record ToolGrantChanged(TenantId tenant, UUID grant, Change change, Instant occurredAt) implements ServiceEvent {

    /** What happened to the grant. */
    public enum Change {
        GRANTED, REVOKED
    }
}
