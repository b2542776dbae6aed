package io.retinue.gateway.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.gateway.AuditTrail;
import io.retinue.gateway.AuditTrailContract;

/**
 * The gateway's own {@link AuditTrail} in-process; {@code HttpAuditTrailIT} holds the remote one to the same contract.
 */
class AuditLogIT extends AuditTrailContract {

    @Autowired
    AuditTrail trail;

    @Override
    protected AuditTrail trail() {
        return trail;
    }
}
