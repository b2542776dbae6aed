package io.retinue.gateway.remote;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.AuditTrail;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * {@link AuditTrail} for other Retinue processes: records a refusal or a change in the token's tenant. The actor is what is
 * recorded (a schedule's maker, say), not who asks, so it comes with the entry; the tenant never does.
 */
@RestController
@RequestMapping(path = "/internal/v1/gateway/audit")
@ConditionalOnModule("gateway")
class AuditTrailEndpoint {

    /** The body: one refusal or change. */
    record Entry(String actor, String action, String target, String detail) {
    }

    private final AuditTrail audit;

    AuditTrailEndpoint(AuditTrail audit) {
        this.audit = audit;
    }

    @PostMapping(path = "/denials", consumes = "application/json")
    ResponseEntity<Void> denied(@AuthenticationPrincipal Caller caller, @RequestBody Entry denial) {
        audit.denied(caller.tenant(), denial.actor(), denial.action(), denial.target(), denial.detail());
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/changes", consumes = "application/json")
    ResponseEntity<Void> changed(@AuthenticationPrincipal Caller caller, @RequestBody Entry change) {
        audit.changed(caller.tenant(), change.actor(), change.action(), change.target(), change.detail());
        return ResponseEntity.noContent().build();
    }
}
