package io.retinue.runtime.web;

import java.net.URI;
import java.util.List;
import java.util.UUID;

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

import io.retinue.runtime.internal.sessions.SessionStorage;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Violation;
import io.retinue.shared.Page;
import io.retinue.shared.web.QueryParameters;
import io.retinue.shared.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/** Sessions: conversation threads that runs continue (pass {@code session} when starting a run). */
@RestController
@RequestMapping(path = "/api/v1/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Sessions", description = "Conversation threads, one turn at a time")
class SessionController {

    private final SessionStorage sessions;

    SessionController(SessionStorage sessions) {
        this.sessions = sessions;
    }

    /** A new session. */
    @Schema(description = "A session to start with an agent (id or slug), with free-form metadata")
    record NewSession(String agent, JsonNode metadata) {
    }

    /** A session and its messages. */
    @Schema(description = "A session with its messages, oldest first")
    record SessionView(SessionStorage.Session session, List<SessionStorage.StoredMessage> messages) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createSession", summary = "Start a session",
            description = "A conversation with one agent: runs that name the session see its earlier turns, one turn "
                    + "at a time.")
    @ApiResponse(responseCode = "201", description = "The session; Location names it")
    ResponseEntity<SessionStorage.Session> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody(required = false) NewSession body) {
        if (body != null && body.metadata() != null && !body.metadata().isObject()) {
            throw DomainProblem.invalidParameter("metadata", "metadata must be a JSON object");
        }
        // An agent is named by its id or slug, neither longer than 63: a longer one was answered 409 by the column.
        if (body != null && body.agent() != null && body.agent().length() > 63) {
            throw DomainProblem.invalid(List.of(new Violation("/agent", "is not an agent's id or slug")));
        }
        SessionStorage.Session session = sessions.create(caller.tenant(), body == null ? null : body.agent(),
                body == null ? null : body.metadata());
        return ResponseEntity.created(URI.create("/api/v1/sessions/" + session.id())).body(session);
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getSession", summary = "A session and its messages",
            description = "The session with its messages, oldest first.")
    SessionView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        SessionStorage.Session session = sessions.find(caller.tenant(), id)
            .orElseThrow(() -> DomainProblem.notFound("Session '" + id + "'"));
        return new SessionView(session, sessions.messagesAsShown(id));
    }

    @GetMapping
    @Operation(operationId = "listSessions", summary = "Sessions, most recently active first",
            description = "Pass nextCursor back as cursor for the next page.")
    Page<SessionStorage.Session> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String agent, @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) String cursor) {
        return sessions.list(caller.tenant(), agent, QueryParameters.limit(limit), cursor);
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteSession", summary = "Delete a session and its messages", description = "409 while a turn is running.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "A turn is running (conflict)")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        sessions.find(caller.tenant(), id).orElseThrow(() -> DomainProblem.notFound("Session '" + id + "'"));
        if (!sessions.delete(caller.tenant(), id)) {
            throw new DomainProblem(ProblemType.CONFLICT, "Session " + id + " is running a turn");
        }
        return ResponseEntity.noContent().build();
    }
}
