package io.retinue.agents.web;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.retinue.agents.internal.AgentAccess;
import io.retinue.agents.internal.Agents;
import io.retinue.agents.internal.ConfigDiff;
import io.retinue.agents.internal.ConfigValidator.Shape;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import tools.jackson.databind.JsonNode;

/**
 * An agent's numbered versions: open a draft, revise it, publish it, read and compare versions. Every write checks
 * the agent's ETag when If-Match is given, and answers with the agent's new ETag.
 */
@RestController
@RequestMapping(path = "/api/v1/agents/{agent}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Agent versions", description = "Immutable numbered versions of an agent's configuration")
class VersionController {

    private final Agents agents;
    private final RequestBodies bodies;
    private final ToolWarnings toolWarnings;

    VersionController(Agents agents, RequestBodies bodies, ToolWarnings toolWarnings) {
        this.toolWarnings = toolWarnings;
        this.agents = agents;
        this.bodies = bodies;
    }

    @GetMapping("/versions")
    @Operation(operationId = "listAgentVersions", summary = "List versions, newest first",
            description = "Drafts and published versions; pass nextCursor back as cursor for the next page.")
    PageView<VersionView> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestParam(defaultValue = "20") @Parameter(description = "1 to 200") int limit,
            @RequestParam(required = false) String cursor) {
        Integer before = cursor == null ? null : versionCursor(cursor);
        Agents.VersionPage found = agents.versions(AgentAccess.of(caller), agent, before, limit);
        return PageView.of(found.versions().map(version -> VersionView.of(found.agent(), version)));
    }

    @PostMapping(path = "/versions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createAgentVersion", summary = "Open a new draft version",
            description = "Refused with 409 (agents/draft-exists) while another draft is open.")
    @ApiResponse(responseCode = "201", description = "The new draft version; Location names it")
    @ApiResponse(responseCode = "409",
            description = "A draft is open already, or the agent is archived (agents/draft-exists, "
                    + "agents/agent-archived)")
    ResponseEntity<VersionView> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = AgentRequests.Version.class),
                    examples = @ExampleObject(value = Examples.VERSION))) @RequestBody JsonNode body) {
        AgentRequests.Version request = bodies.read(caller.tenant(), body, Shape.VERSION, AgentRequests.Version.class);
        Agents.Versioned created = agents.newVersion(AgentAccess.of(caller), agent, request.config(), request.note(),
                Preconditions.ifMatch(ifMatch));
        URI location = ServletUriComponentsBuilder.fromCurrentRequestUri()
            .path("/{number}")
            .buildAndExpand(created.version().number())
            .toUri();
        return ResponseEntity.created(location)
            .eTag(created.agent().etag())
            .body(VersionView.of(created.agent(), created.version()));
    }

    @GetMapping("/versions/{version}")
    @Operation(operationId = "getAgentVersion", summary = "Get one version",
            description = "The version's configuration and state, with the agent's ETag; 304 when If-None-Match "
                    + "carries it.")
    ResponseEntity<VersionView> get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @PathVariable int version,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        Agents.Versioned found = agents.version(AgentAccess.of(caller), agent, version);
        if (Preconditions.noneMatch(ifNoneMatch, found.agent().etag())) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(found.agent().etag()).build();
        }
        return ResponseEntity.ok().eTag(found.agent().etag()).body(VersionView.of(found.agent(), found.version()));
    }

    @PutMapping(path = "/versions/{version}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "reviseAgentVersion", summary = "Revise a draft version",
            description = "Published versions never change: revising one is refused with 409 "
                    + "(agents/version-immutable).")
    @ApiResponse(responseCode = "200", description = "The revised draft, with the agent's new ETag")
    @ApiResponse(responseCode = "409",
            description = "The version is published and never changes (agents/version-immutable)")
    ResponseEntity<VersionView> revise(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @PathVariable int version,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = AgentRequests.Version.class),
                    examples = @ExampleObject(value = Examples.VERSION))) @RequestBody JsonNode body) {
        AgentRequests.Version request = bodies.read(caller.tenant(), body, Shape.VERSION, AgentRequests.Version.class);
        Agents.Versioned revised = agents.reviseDraft(AgentAccess.of(caller), agent, version, request.config(),
                request.note(), Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok()
            .eTag(revised.agent().etag())
            .body(VersionView.of(revised.agent(), revised.version()));
    }

    @PostMapping("/versions/{version}/publish")
    @Operation(operationId = "publishAgentVersion", summary = "Publish a draft version and make it live",
            description = "The version is frozen from then on; AgentVersionPublished is emitted.")
    @ApiResponse(responseCode = "200", description = "The published version, now live, with the agent's new ETag")
    @ApiResponse(responseCode = "409",
            description = "The version is published already or the agent is archived (conflict, "
                    + "agents/agent-archived)")
    ResponseEntity<VersionView> publish(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @PathVariable int version,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        Agents.Versioned published = agents.publish(AgentAccess.of(caller), agent, version, Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok()
            .eTag(published.agent().etag())
            .body(VersionView.of(published.agent(), published.version()).warning(toolWarnings.of(caller,
                    published.agent().slug(), published.version().config(), "/config/tools")));
    }

    @GetMapping("/diff")
    @Operation(operationId = "diffAgentVersions", summary = "Compare two versions",
            description = "JSON-Patch-like operations that turn version `from` into version `to`, with old values.")
    DiffView diff(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String agent,
            @RequestParam int from, @RequestParam int to) {
        return new DiffView(from, to, agents.diff(AgentAccess.of(caller), agent, from, to));
    }

    private static int versionCursor(String cursor) {
        try {
            return Integer.parseInt(cursor);
        }
        catch (NumberFormatException ex) {
            throw DomainProblem.invalidParameter("cursor", "the cursor is not one this API issued");
        }
    }

    /** The changes from one version to another. */
    @Schema(description = "The changes that turn version from into version to")
    record DiffView(int from, int to, List<ConfigDiff.Change> changes) {
    }
}
