package io.retinue.gateway;

import io.retinue.shared.TenantId;

/**
 * The gateway's audit log for facts other modules decide on in a principal's name — a schedule paused because its
 * maker may no longer run it, a tenant's traces let hold content — so that they are found with the gateway's own
 * (keys revoked, access denied).
 */
public interface AuditTrail {

    /** A refusal: recorded on its own, so it stays recorded when the work that was refused rolls back. */
    void denied(TenantId tenant, String actor, String action, String target, String detail);

    /** A change made in a principal's name (what a tenant's traces hold, say): recorded once it is made. */
    void changed(TenantId tenant, String actor, String action, String target, String detail);
}
