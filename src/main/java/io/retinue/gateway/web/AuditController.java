package io.retinue.gateway.web;


import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.internal.AuditLog;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.web.QueryParameters;
import io.retinue.shared.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The tenant's audit log (scope audit:read). */
@RestController
@Tag(name = "Audit log", description = "Security-relevant events of the tenant")
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping(path = "/api/v1/audit-events", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listAuditEvents", summary = "Query audit events, newest first",
            description = "Actions: api_key.created, api_key.rotated, api_key.revoked, tenant.created, auth.failed, "
                    + "access.denied, schedule.paused. Outcomes: success, denied.")
    Page<AuditLog.Entry> events(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String action, @RequestParam(required = false) String actor,
            @RequestParam(required = false) @Parameter(
                    schema = @Schema(allowableValues = { "success", "denied" })) String outcome,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, inclusive") String after,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, exclusive") String before,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > 200) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and 200");
        }
        return audit.query(new AuditLog.Query(caller.tenant(), action, actor, outcome, QueryParameters.instant("after", after),
                QueryParameters.instant("before", before), limit, cursor));
    }

}
