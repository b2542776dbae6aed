package io.retinue.agents.web;

import java.net.URI;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.retinue.agents.AgentSpec;
import io.retinue.agents.internal.AgentAccess;
import io.retinue.agents.internal.Agent;
import io.retinue.agents.internal.AgentChanges;
import io.retinue.agents.internal.AgentSearch;
import io.retinue.agents.internal.AgentStatus;
import io.retinue.agents.internal.Agents;
import io.retinue.agents.internal.ConfigValidator.Shape;
import io.retinue.agents.internal.NewAgent;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.web.QueryParameters;
import io.retinue.shared.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import tools.jackson.databind.JsonNode;

/** Agents and their versions over HTTP. {@code {agent}} is an agent's id or its slug. */
@RestController
@RequestMapping(path = "/api/v1/agents", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Agents", description = "Agent templates: configuration, immutable versions, publication and query")
class AgentController {

    private final Agents agents;
    private final RequestBodies bodies;

    AgentController(Agents agents, RequestBodies bodies) {
        this.agents = agents;
        this.bodies = bodies;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createAgent", summary = "Create an agent",
            description = "Creates the agent with version 1 as a draft. With an Idempotency-Key, a repeated identical "
                    + "request returns the same agent (header Idempotent-Replayed: true); a different request with the "
                    + "same key is refused with 422.")
    @ApiResponse(responseCode = "201",
            description = "The agent, with version 1 as a draft (a repeated Idempotency-Key answers the agent it "
                    + "made)")
    @ApiResponse(responseCode = "409", description = "The slug is taken (agents/slug-taken)")
    @ApiResponse(responseCode = "403",
            description = "The credentials lack agents:write, or a key restricted to some agents tried to create "
                    + "another (agents/outside-key-restriction)")
    ResponseEntity<AgentView> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) @Parameter(
                    description = "A unique key per logical create, kept 24 hours") String idempotencyKey,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = AgentRequests.Create.class),
                    examples = @ExampleObject(value = Examples.CREATE))) @RequestBody JsonNode body) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw DomainProblem.invalidParameter("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters");
        }
        AgentRequests.Create request = bodies.read(caller.tenant(), body, Shape.CREATE_AGENT, AgentRequests.Create.class);
        Agents.Created created = agents.create(AgentAccess.of(caller), new NewAgent(request.slug(), request.name(),
                request.description(), request.labels(), request.config(), request.note()), idempotencyKey, body);
        URI location = ServletUriComponentsBuilder.fromCurrentRequestUri()
            .path("/{id}")
            .buildAndExpand(created.agent().id().value())
            .toUri();
        return ResponseEntity.created(location)
            .eTag(created.agent().etag())
            .header("Idempotent-Replayed", String.valueOf(created.replayed()))
            .body(AgentView.of(created.agent()));
    }

    @GetMapping
    @Operation(operationId = "listAgents", summary = "List and filter agents",
            description = "Filters combine with AND. Pages are keyset-based: pass nextCursor back unchanged, with the "
                    + "same filters and order, to get the next page; pages stay stable while agents are added.")
    ResponseEntity<PageView<AgentView>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) @Parameter(description = "Text in name, slug or description") String q,
            @RequestParam(name = "label", required = false) @Parameter(
                    description = "key=value, or key alone for 'has label'; repeatable") List<String> labels,
            @RequestParam(required = false) @Parameter(schema = @Schema(allowableValues = { "active", "archived", "deleting" })) String status,
            @RequestParam(required = false) @Parameter(description = "Model provider of the live version") String provider,
            @RequestParam(required = false) @Parameter(description = "Model name of the live version") String model,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, inclusive") String createdAfter,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, exclusive") String createdBefore,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, inclusive") String updatedAfter,
            @RequestParam(required = false) @Parameter(description = "ISO-8601 instant, exclusive") String updatedBefore,
            @RequestParam(defaultValue = "createdAt") @Parameter(
                    schema = @Schema(allowableValues = { "createdAt", "updatedAt", "name", "slug" })) String sort,
            @RequestParam(defaultValue = "desc") @Parameter(schema = @Schema(allowableValues = { "asc", "desc" })) String order,
            @RequestParam(defaultValue = "20") @Parameter(description = "1 to 200") int limit,
            @RequestParam(required = false) String cursor) {
        if (!order.equals("asc") && !order.equals("desc")) {
            throw DomainProblem.invalidParameter("order", "order must be asc or desc");
        }
        AgentSearch search = new AgentSearch(AgentAccess.of(caller), q, labels(labels), status(status), provider, model,
                QueryParameters.instant("createdAfter", createdAfter), QueryParameters.instant("createdBefore", createdBefore),
                QueryParameters.instant("updatedAfter", updatedAfter), QueryParameters.instant("updatedBefore", updatedBefore),
                AgentSearch.Sort.fromWire(sort), order.equals("desc"), limit, cursor);
        Page<AgentView> page = agents.search(search).map(AgentView::of);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (page.nextCursor() != null) {
            URI next = ServletUriComponentsBuilder.fromCurrentRequest()
                .replaceQueryParam("cursor", page.nextCursor())
                .build()
                .toUri();
            response.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
        }
        return response.body(PageView.of(page));
    }

    @GetMapping("/{agent}")
    @Operation(operationId = "getAgent", summary = "Get an agent", description = "Answers 304 when If-None-Match carries the current ETag.")
    ResponseEntity<AgentView> get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        Agent found = agents.get(AgentAccess.of(caller), agent);
        if (Preconditions.noneMatch(ifNoneMatch, found.etag())) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(found.etag()).build();
        }
        return ResponseEntity.ok().eTag(found.etag()).body(AgentView.of(found));
    }

    @PatchMapping(path = "/{agent}", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/merge-patch+json" })
    @Operation(operationId = "updateAgent", summary = "Change an agent's name, description or labels",
            description = "Changes only the fields given (JSON merge patch); the configuration changes through "
                    + "versions. Send the ETag as If-Match to refuse a stale write.")
    @ApiResponse(responseCode = "200", description = "The agent as changed, with its new ETag")
    @ApiResponse(responseCode = "409", description = "The agent changed meanwhile (agents/concurrent-modification)")
    ResponseEntity<AgentView> update(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = AgentRequests.Update.class),
                    examples = @ExampleObject(value = Examples.UPDATE))) @RequestBody JsonNode body) {
        AgentRequests.Update request = bodies.read(caller.tenant(), body, Shape.UPDATE_AGENT, AgentRequests.Update.class);
        Agent updated = agents.describe(AgentAccess.of(caller), agent,
                new AgentChanges(request.name(), request.description(), request.labels()),
                Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok().eTag(updated.etag()).body(AgentView.of(updated));
    }

    @DeleteMapping("/{agent}")
    @Operation(operationId = "deleteAgent", summary = "Delete an agent and all its versions",
            description = "Refused while runs are in progress or sessions or active schedules name the agent. Send "
                    + "the ETag as If-Match to refuse a stale delete. While the runtime is asked, the agent's status "
                    + "is deleting (nothing starts from it, no change is accepted); a refused or failed deletion "
                    + "puts it back as it was, with the same ETag. Repeating the DELETE of an agent being deleted "
                    + "finishes its deletion.")
    @ApiResponse(responseCode = "204", description = "Deleted, with all its versions")
    @ApiResponse(responseCode = "409", description = "Runs in progress, sessions or active schedules name the agent "
            + "(agents/agent-in-use), or its deletion was undone meanwhile (agents/concurrent-modification)")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        agents.delete(AgentAccess.of(caller), agent, Preconditions.ifMatch(ifMatch));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{agent}/archive")
    @Operation(operationId = "archiveAgent", summary = "Archive an agent", description = "No new run starts from an archived agent's live version.")
    @ApiResponse(responseCode = "200", description = "The agent, archived, with its new ETag")
    @ApiResponse(responseCode = "409", description = "The agent changed meanwhile (agents/concurrent-modification)")
    ResponseEntity<AgentView> archive(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        Agent archived = agents.archive(AgentAccess.of(caller), agent, Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok().eTag(archived.etag()).body(AgentView.of(archived));
    }

    @PostMapping("/{agent}/unarchive")
    @Operation(operationId = "unarchiveAgent", summary = "Unarchive an agent",
            description = "Runs may start from its live version again.")
    @ApiResponse(responseCode = "200", description = "The agent, active again, with its new ETag")
    @ApiResponse(responseCode = "409", description = "The agent changed meanwhile (agents/concurrent-modification)")
    ResponseEntity<AgentView> unarchive(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        Agent active = agents.unarchive(AgentAccess.of(caller), agent, Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok().eTag(active.etag()).body(AgentView.of(active));
    }

    @PostMapping(path = "/{agent}/rollback", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "rollbackAgent", summary = "Make an earlier published version live again",
            description = "The published version given becomes live; nothing is copied or changed.")
    @ApiResponse(responseCode = "200", description = "The version now live, with the agent's new ETag")
    @ApiResponse(responseCode = "409",
            description = "The version is not published or is live already (agents/version-not-published, "
                    + "agents/version-already-live)")
    ResponseEntity<VersionView> rollback(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = AgentRequests.Rollback.class),
                    examples = @ExampleObject(value = "{ \"version\": 1 }"))) @RequestBody JsonNode body) {
        AgentRequests.Rollback request = bodies.read(caller.tenant(), body, Shape.ROLLBACK, AgentRequests.Rollback.class);
        Agents.Versioned live = agents.rollback(AgentAccess.of(caller), agent, request.version(),
                Preconditions.ifMatch(ifMatch));
        return ResponseEntity.ok().eTag(live.agent().etag()).body(VersionView.of(live.agent(), live.version()));
    }

    @GetMapping("/{agent}/spec")
    @Operation(operationId = "getAgentSpec", summary = "The runnable spec of a published version",
            description = "What the runtime runs: the live version, or the published version given.")
    @ApiResponse(responseCode = "200", description = "The spec the runtime runs")
    @ApiResponse(responseCode = "409", description = "Nothing is published to run (agents/version-not-published)")
    AgentSpec spec(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String agent,
            @RequestParam(required = false) Integer version) {
        return agents.spec(AgentAccess.of(caller), agent, version);
    }

    private static SortedMap<String, String> labels(List<String> selectors) {
        SortedMap<String, String> labels = new TreeMap<>();
        if (selectors != null) {
            for (String selector : selectors) {
                int eq = selector.indexOf('=');
                String key = eq < 0 ? selector : selector.substring(0, eq);
                if (key.isBlank()) {
                    throw DomainProblem.invalidParameter("label", "label must be key=value or key");
                }
                labels.put(key, eq < 0 ? null : selector.substring(eq + 1));
            }
        }
        return labels;
    }

    private static AgentStatus status(String status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "active", "archived", "deleting" -> AgentStatus.fromWire(status);
            default -> throw DomainProblem.invalidParameter("status", "status must be active, archived or deleting");
        };
    }

}
