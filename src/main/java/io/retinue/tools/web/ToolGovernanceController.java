package io.retinue.tools.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.web.QueryParameters;
import io.retinue.shared.Violation;
import io.retinue.tools.internal.CredentialStore;
import io.retinue.tools.internal.ExecutionLedger;
import io.retinue.tools.internal.ToolPermissions;
import io.retinue.tools.internal.ToolRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What governs tools: credentials (write-only), grants, permission checks and decisions, execution records. */
@RestController
@Tag(name = "Tool governance", description = "Credentials, grants, permission decisions and execution records")
class ToolGovernanceController {

    private static final Set<String> CREDENTIAL_KINDS = Set.of("api_key", "bearer", "basic", "oauth_client");

    private final CredentialStore credentials;
    private final ToolPermissions permissions;
    private final ToolRegistry registry;
    private final ExecutionLedger ledger;
    private final JsonMapper json;

    ToolGovernanceController(CredentialStore credentials, ToolPermissions permissions, ToolRegistry registry,
            ExecutionLedger ledger, JsonMapper json) {
        this.credentials = credentials;
        this.permissions = permissions;
        this.registry = registry;
        this.ledger = ledger;
        this.json = json;
    }

    /** A credential's value, written once and never shown. */
    @Schema(name = "CredentialRequest", description = "A credential to store: its kind and the fields that kind needs")
    record CredentialBody(@Schema(allowableValues = { "api_key", "bearer", "basic", "oauth_client" }) String kind,
            @Schema(example = "{\"value\": \"sk-...\"}", description = "value; or username and password; or "
                    + "clientId and clientSecret") Map<String, String> fields) {
    }

    /** A grant. */
    @Schema(name = "ToolGrantRequest", description = "A grant: which subject may call which tools, with what "
            + "effect, optionally only for some arguments")
    record GrantBody(@Schema(example = "agent:support-bot", description = "agent:<id or slug>, role:<role>, "
            + "scope:<scope> or *") String subject,
            @Schema(example = "crm.*", description = "a tool name, namespace.*, tag:<tag> or *") String tools,
            @Schema(allowableValues = { "allow", "deny", "require_approval" }) String effect,
            @Schema(description = "A JSON Schema the arguments must also satisfy") JsonNode argumentSchema) {
    }

    /** A permission question. */
    @Schema(name = "ToolPermissionCheck", description = "A tool call to decide on: the tool, the agent whose grants "
            + "apply, and the arguments")
    record CheckBody(String tool, String agent, JsonNode arguments) {
    }

    @PutMapping(path = "/api/v1/credentials/{name}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "putCredential", summary = "Store or replace a credential (write-only; sealed with the master key)",
            description = "HTTP tools and MCP servers refer to it as {{secret:name}}; its value is never shown again.")
    CredentialStore.CredentialView putCredential(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name, @RequestBody CredentialBody body) {
        if (!name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw DomainProblem.invalidParameter("name", "a credential name is 1-100 of A-Z a-z 0-9 _ -");
        }
        if (body.kind() == null || !CREDENTIAL_KINDS.contains(body.kind()) || body.fields() == null
                || body.fields().isEmpty()) {
            throw DomainProblem.invalid(List.of(new Violation("/kind", "must be one of " + CREDENTIAL_KINDS
                    + " with non-empty fields")));
        }
        return credentials.put(caller.tenant(), name, body.kind(), body.fields());
    }

    @GetMapping(path = "/api/v1/credentials", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listCredentials", summary = "List credentials (names and kinds only)",
            description = "A credential's value is write-only: no operation shows it.")
    List<CredentialStore.CredentialView> credentials(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return credentials.list(caller.tenant());
    }

    @DeleteMapping("/api/v1/credentials/{name}")
    @Operation(operationId = "deleteCredential", summary = "Delete a credential",
            description = "Tools that refer to it fail their calls until it is stored again.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    ResponseEntity<Void> deleteCredential(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name) {
        if (!credentials.delete(caller.tenant(), name)) {
            throw DomainProblem.notFound("Credential '" + name + "'");
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/api/v1/tool-grants", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "grantTools", summary = "Grant tools to a subject (default is deny)",
            description = "A grant allows (or requires approval for) calls of the tools named by the subject named, "
                    + "optionally only for arguments that satisfy argumentSchema.")
    @ApiResponse(responseCode = "201", description = "The grant; Location names it")
    ResponseEntity<ToolPermissions.Grant> grant(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody GrantBody body) {
        List<Violation> violations = new java.util.ArrayList<>();
        if (body.subject() == null || !body.subject().matches("\\*|(agent|role|scope):[A-Za-z0-9:._-]{1,190}")) {
            violations.add(new Violation("/subject", "must be agent:<id or slug>, role:<role>, scope:<scope> or *"));
        }
        if (body.tools() == null || !body.tools().matches("\\*|tag:[a-z0-9_-]{1,63}|[a-z0-9][a-z0-9_.-]{0,190}(\\.\\*)?")) {
            violations.add(new Violation("/tools", "must be a tool name, namespace.*, tag:<tag> or *"));
        }
        ToolPermissions.Effect effect = null;
        try {
            effect = body.effect() == null ? null : ToolPermissions.Effect.fromWire(body.effect());
        }
        catch (IllegalArgumentException ex) {
            // reported below
        }
        if (effect == null) {
            violations.add(new Violation("/effect", "must be allow, deny or require_approval"));
        }
        if (body.argumentSchema() != null && !body.argumentSchema().isObject()) {
            violations.add(new Violation("/argumentSchema", "must be a JSON Schema object"));
        }
        if (!violations.isEmpty()) {
            throw DomainProblem.invalid(violations);
        }
        ToolPermissions.Grant grant = permissions.grant(caller, body.subject(), body.tools(), effect, body.argumentSchema());
        return ResponseEntity.created(URI.create("/api/v1/tool-grants/" + grant.id())).body(grant);
    }

    @GetMapping(path = "/api/v1/tool-grants", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listToolGrants", summary = "List grants",
            description = "Every grant of the tenant.")
    List<ToolPermissions.Grant> grants(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return permissions.grants(caller.tenant());
    }

    @DeleteMapping("/api/v1/tool-grants/{id}")
    @Operation(operationId = "revokeToolGrant", summary = "Revoke a grant",
            description = "Takes effect on the next call.")
    @ApiResponse(responseCode = "204", description = "Revoked")
    ResponseEntity<Void> revoke(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        if (!permissions.revoke(caller.tenant(), id)) {
            throw DomainProblem.notFound("Grant '" + id + "'");
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/api/v1/tool-permissions/check", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "checkToolPermission", summary = "May this caller (as this agent) call this tool with these arguments? Runs nothing.",
            description = "The same decision a run or an invoke would get, with the grant that made it; nothing is "
                    + "called.")
    @ApiResponse(responseCode = "200", description = "The decision and the grant that made it")
    @ApiResponse(responseCode = "404", description = "No such tool (not-found)")
    ToolPermissions.Decision check(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody CheckBody body) {
        var tool = registry.current(caller.tenant(), body.tool() == null ? "" : body.tool())
            .orElseThrow(() -> DomainProblem.notFound("Tool '" + body.tool() + "'"));
        return permissions.evaluate(caller, body.agent(), tool, body.arguments());
    }

    @GetMapping(path = "/api/v1/tool-permissions/decisions", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listToolPermissionDecisions", summary = "Recorded permission decisions, newest first",
            description = "Pass nextCursor back as cursor for the next page.")
    Page<ToolPermissions.Recorded> decisions(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String tool,
            @RequestParam(required = false) @Parameter(schema = @Schema(allowableValues = { "allow", "deny",
                "require_approval" })) String effect,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        return permissions.decisions(caller.tenant(), tool, effect, QueryParameters.limit(limit), cursor);
    }

    @GetMapping(path = "/api/v1/tool-executions", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listToolExecutions", summary = "Execution records, newest first (arguments masked, sizes limited)",
            description = "Pass nextCursor back as cursor for the next page.")
    Page<ExecutionView> executions(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String tool,
            @RequestParam(required = false) @Parameter(schema = @Schema(allowableValues = { "completed", "failed",
                    "timed_out", "saturated", "unavailable", "refused", "denied", "approval_required",
                    "invalid_arguments" })) String status,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        Page<ExecutionLedger.Execution> page = ledger.query(caller.tenant(), tool, status, QueryParameters.limit(limit),
                cursor);
        return new Page<>(page.items().stream().map(execution -> ExecutionView.of(execution, json)).toList(),
                page.nextCursor());
    }
}