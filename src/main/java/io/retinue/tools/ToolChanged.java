package io.retinue.tools;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/** A tenant's tool was registered, given a new version, enabled, disabled or deleted. */
public record ToolChanged(TenantId tenant, String name, int version, Change change, Instant occurredAt)
        implements ServiceEvent {

    /** What happened to the tool. */
    public enum Change {
        REGISTERED, REVISED, ENABLED, DISABLED, DELETED
    }
}
