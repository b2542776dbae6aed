package io.retinue.gateway.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.internal.RateLimitProperties;
import io.retinue.gateway.internal.RateLimits;
import io.retinue.gateway.internal.RouteClass;
import io.retinue.gateway.internal.TenantDirectory;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** The rate limits in force: read by any caller for its tenant, overridden per tenant by a platform admin. */
@RestController
@Tag(name = "Rate limits", description = "Token-bucket limits per principal and tenant, per route class")
class RateLimitController {

    private final RateLimits rateLimits;
    private final TenantDirectory tenants;

    RateLimitController(RateLimits rateLimits, TenantDirectory tenants) {
        this.rateLimits = rateLimits;
        this.tenants = tenants;
    }

    /** One route class's limits. */
    @Schema(name = "RateLimit", description = "One route class's limit: requests per period for one principal and "
            + "for the whole tenant")
    record LimitView(@Schema(example = "1200") long principal, @Schema(example = "6000") long tenant,
            @Schema(example = "60") long periodSeconds) {
    }

    @GetMapping(path = "/api/v1/rate-limits", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getRateLimits", summary = "The limits in force for the caller's tenant, per route class (read, write, execute)",
            description = "Each route class's requests per period for one principal and for the whole tenant.")
    Map<String, LimitView> mine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return view(caller.tenant());
    }

    @PutMapping(path = "/api/v1/tenants/{tenant}/rate-limits/{routeClass}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "overrideRateLimits", summary = "Override a tenant's limits for one route class (platform:admin)",
            description = "Takes effect on every instance within a few seconds.")
    Map<String, LimitView> override(@PathVariable String tenant, @PathVariable String routeClass,
            @RequestBody LimitView body) {
        TenantId id = tenant(tenant);
        if (body.principal() < 1 || body.tenant() < 1 || body.periodSeconds() < 1 || body.periodSeconds() > 86_400) {
            throw DomainProblem.invalid(List.of(new Violation("", "principal and tenant must be at least 1, "
                    + "periodSeconds between 1 and 86400")));
        }
        rateLimits.override(id, routeClass(routeClass),
                new RateLimitProperties.Limit(body.principal(), body.tenant(), Duration.ofSeconds(body.periodSeconds())));
        return view(id);
    }

    @DeleteMapping("/api/v1/tenants/{tenant}/rate-limits/{routeClass}")
    @Operation(operationId = "resetRateLimits", summary = "Return a tenant's route class to the configured limits (platform:admin)",
            description = "The tenant's override for that route class is removed.")
    @ApiResponse(responseCode = "204", description = "The configured limits apply again")
    ResponseEntity<Void> reset(@PathVariable String tenant, @PathVariable String routeClass) {
        rateLimits.resetOverride(tenant(tenant), routeClass(routeClass));
        return ResponseEntity.noContent().build();
    }

    private TenantId tenant(String text) {
        try {
            TenantId id = new TenantId(text);
            if (tenants.exists(id)) {
                return id;
            }
        }
        catch (IllegalArgumentException ex) {
            // not a tenant id: not found either
        }
        throw DomainProblem.notFound("Tenant '" + text + "'");
    }

    private static RouteClass routeClass(String text) {
        RouteClass routeClass = RouteClass.fromWire(text);
        if (routeClass == null) {
            throw DomainProblem.notFound("Route class '" + text + "' (read, write, execute)");
        }
        return routeClass;
    }

    private Map<String, LimitView> view(TenantId tenant) {
        Map<String, LimitView> view = new TreeMap<>();
        rateLimits.limitsOf(tenant)
            .forEach((routeClass, limit) -> view.put(routeClass.wire(),
                    new LimitView(limit.principal(), limit.tenant(), limit.period().toSeconds())));
        return view;
    }
}
