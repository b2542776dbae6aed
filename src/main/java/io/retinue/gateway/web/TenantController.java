package io.retinue.gateway.web;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.internal.TenantDirectory;
import io.retinue.gateway.internal.TenantRemovals;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** Tenants of the installation (scope platform:admin, held by the bootstrap key). */
@RestController
@Tag(name = "Tenants", description = "Workspaces of the installation")
class TenantController {

    private final TenantDirectory tenants;
    private final TenantRemovals removals;

    TenantController(TenantDirectory tenants, TenantRemovals removals) {
        this.tenants = tenants;
        this.removals = removals;
    }

    /** The body of a tenant creation. */
    @Schema(name = "CreateTenantRequest", description = "A tenant to create: its id and name")
    record CreateTenant(@Schema(example = "acme", pattern = "^[a-z0-9][a-z0-9-]{0,62}$") String id,
            @Schema(example = "ACME Corp") String name) {
    }

    @PostMapping(path = "/api/v1/tenants", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createTenant", summary = "Create a tenant", description = "Answers with the tenant's owner API key, shown once.")
    @ApiResponse(responseCode = "201", description = "The tenant with its owner API key, shown once; Location names it")
    @ApiResponse(responseCode = "409", description = "A tenant with that id exists (gateway/tenant-exists)")
    ResponseEntity<TenantDirectory.CreatedTenant> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody CreateTenant body) {
        TenantId id;
        try {
            id = new TenantId(body.id());
        }
        catch (IllegalArgumentException ex) {
            throw DomainProblem.invalid(List.of(new Violation("/id", "must match ^[a-z0-9][a-z0-9-]{0,62}$")));
        }
        if (body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw DomainProblem.invalid(List.of(new Violation("/name", "must be 1 to 200 characters")));
        }
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + id)).body(tenants.create(caller, id, body.name()));
    }

    @GetMapping(path = "/api/v1/tenants/{tenant}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getTenant", summary = "A tenant", description = "Where a creation's Location points; "
            + "a tenant being removed shows how far its removal has come, and is not found once it is gone.")
    @ApiResponse(responseCode = "200", description = "The tenant")
    TenantDirectory.Tenant get(@PathVariable String tenant) {
        return tenants.find(id(tenant)).orElseThrow(() -> DomainProblem.notFound("Tenant '" + tenant + "'"));
    }

    @DeleteMapping(path = "/api/v1/tenants/{tenant}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "removeTenant", summary = "Remove a tenant and everything of it", description = """
            Its API keys, users and tokens stop working at once; its scheduled and queued runs stop, runs in \
            progress are cancelled, and then every service erases what it keeps of it (agents, tools, credentials, \
            runs, sessions, audit entries). If a service cannot be asked to stop the tenant's work, nothing is \
            removed: the tenant is active again (503). Otherwise the removal goes on by itself until the tenant is \
            gone (GET answers 404); asking again shows how far it has come. The installation's own tenant, and the \
            caller's, cannot be removed.""")
    @ApiResponse(responseCode = "202", description = "Being removed: the tenant with the services yet to erase it; "
            + "Location names it")
    @ApiResponse(responseCode = "409", description = "The installation's own tenant or the caller's "
            + "(gateway/tenant-not-removable)")
    ResponseEntity<TenantDirectory.Tenant> remove(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String tenant) {
        TenantId id = id(tenant);
        return ResponseEntity.accepted().location(URI.create("/api/v1/tenants/" + id)).body(removals.remove(caller, id));
    }

    private static TenantId id(String tenant) {
        try {
            return new TenantId(tenant);
        }
        catch (IllegalArgumentException notAnId) {
            throw DomainProblem.notFound("Tenant '" + tenant + "'");
        }
    }
}
