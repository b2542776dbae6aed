package io.retinue.gateway.web;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.retinue.gateway.internal.KeyRing;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.Role;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** A tenant's API keys: issue (secret shown once), list, rotate with an overlap window, revoke. */
@RestController
@RequestMapping(path = "/api/v1/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "API keys", description = "Issue, rotate and revoke the tenant's API keys (scope keys:manage)")
class ApiKeyController {

    private final KeyRing keyRing;

    ApiKeyController(KeyRing keyRing) {
        this.keyRing = keyRing;
    }

    /** The body of a key request. */
    @Schema(name = "CreateApiKeyRequest", description = "A key to issue: its name, scopes (or a role), agent "
            + "restriction and expiry")
    record CreateKey(@Schema(example = "ci-pipeline") String name,
            @Schema(example = "[\"agents:read\", \"runs:execute\"]") Set<String> scopes,
            @Schema(description = "Grant a role's scopes (alone or besides scopes)",
                    allowableValues = { "owner", "admin", "developer", "operator", "viewer" }) String role,
            @Schema(description = "Restrict the key to these agents (ids or slugs)") Set<String> agents,
            @Schema(example = "2027-01-01T00:00:00Z") Instant expiresAt) {
    }

    /** The body of a rotation. */
    @Schema(name = "RotateApiKeyRequest", description = "How long the old key keeps working after its successor is "
            + "issued")
    record Rotate(@Schema(description = "How long the old key keeps working, 0 to 2592000; default 86400",
            example = "3600") Long overlapSeconds) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createApiKey", summary = "Issue a key", description = "The secret is in the response once and never again. A key "
            + "cannot hold scopes its creator lacks (403 gateway/scope-escalation).")
    @ApiResponse(responseCode = "201", description = "The key with its secret, shown this once; Location names it")
    @ApiResponse(responseCode = "403",
            description = "The credentials lack keys:manage, or the key would hold scopes its creator lacks "
                    + "(gateway/scope-escalation)")
    ResponseEntity<KeyRing.IssuedKey> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody CreateKey body) {
        if (body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw DomainProblem.invalid(List.of(new Violation("/name", "must be 1 to 200 characters")));
        }
        KeyRing.IssuedKey issued = keyRing.issue(caller,
                new KeyRing.KeyRequest(body.name(), body.scopes(), role(body.role()), body.agents(), body.expiresAt()));
        URI location = ServletUriComponentsBuilder.fromCurrentRequestUri()
            .path("/{id}")
            .buildAndExpand(issued.key().id())
            .toUri();
        return ResponseEntity.created(location).body(issued);
    }

    @GetMapping
    @Operation(operationId = "listApiKeys", summary = "List keys, newest first",
            description = "Names, prefixes, scopes, agent restriction, expiry, last use and state; never a secret. "
                    + "Pass nextCursor back as cursor for the next page.")
    Page<KeyRing.KeyView> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String cursor, @RequestParam(defaultValue = "50") int limit) {
        return keyRing.list(caller, cursor, limit);
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getApiKey", summary = "Get a key (never its secret)",
            description = "Its name, prefix, scopes, agent restriction, expiry, last use and state.")
    KeyRing.KeyView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return keyRing.get(caller, id);
    }

    @PostMapping(path = "/{id}/rotate")
    @Operation(operationId = "rotateApiKey", summary = "Rotate a key", description = "Issues a successor with the same grants; the old key keeps "
            + "working for the overlap window, then expires.")
    @ApiResponse(responseCode = "201",
            description = "The successor key with its secret, shown this once; Location names it")
    ResponseEntity<KeyRing.IssuedKey> rotate(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String id, @RequestBody(required = false) Rotate body) {
        long overlap = body == null || body.overlapSeconds() == null ? 86_400 : body.overlapSeconds();
        KeyRing.IssuedKey issued = keyRing.rotate(caller, id, Duration.ofSeconds(overlap));
        URI location = ServletUriComponentsBuilder.fromCurrentContextPath()
            .path("/api/v1/api-keys/{id}")
            .buildAndExpand(issued.key().id())
            .toUri();
        return ResponseEntity.created(location).body(issued);
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "revokeApiKey", summary = "Revoke a key", description = "Takes effect on the next request, on every instance.")
    @ApiResponse(responseCode = "204", description = "Revoked")
    ResponseEntity<Void> revoke(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String id) {
        keyRing.revoke(caller, id);
        return ResponseEntity.noContent().build();
    }

    private static Role role(String role) {
        return role == null ? null : UserController.role(role);
    }
}
