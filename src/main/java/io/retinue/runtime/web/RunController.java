package io.retinue.runtime.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.MDC;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import io.retinue.runtime.internal.AgentRunner;
import io.retinue.runtime.internal.RunLedger;
import io.retinue.runtime.internal.RunQuery;
import io.retinue.runtime.internal.journal.RunStreams;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Content;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Runs of agents: start one (waited for, in the background, or streamed as server-sent events), follow its events,
 * decide on a tool call it holds back, cancel it, read it with its steps, list runs.
 */
@RestController
@RequestMapping(path = "/api/v1/runs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Runs", description = "Run published agents and read what they did")
class RunController {

    private static final String EVENTS = "Events (each with an id, its type as the SSE event name and JSON data): "
            + "run.started, text.delta, tool.started, tool.finished, step.finished, then one of run.completed, "
            + "run.failed, run.cancelled, run.timed_out or run.requires_action, after which the stream ends. "
            + "Idle streams carry a keep-alive comment.";

    private final AgentRunner runner;
    private final RunStreams streams;
    private final RunLedger ledger;

    RunController(AgentRunner runner, RunStreams streams, RunLedger ledger) {
        this.runner = runner;
        this.streams = streams;
        this.ledger = ledger;
    }

    /** A run with its steps. */
    @Schema(description = "A run with its steps")
    record RunView(RunLedger.Run run, List<RunLedger.Step> steps) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "runAgent", summary = "Run an agent once",
            description = "Runs the live version (or the published version given) with the input and template "
                    + "variables. mode=sync (default) answers 201 with the finished run (completed, failed, timed_out, "
                    + "cancelled or requires_action); mode=async answers 202 at once with Location to poll; mode=stream "
                    + "answers text/event-stream (see the stream operation).")
    @ApiResponse(responseCode = "201",
            description = "mode=sync: the finished run (completed, failed, timed_out, cancelled or requires_action) "
                    + "with its steps")
    @ApiResponse(responseCode = "202", description = "mode=async: the run, queued; poll Location")
    @ApiResponse(responseCode = "409",
            description = "No published version to run, or the session is running another turn "
                    + "(runtime/agent-not-runnable, runtime/session-busy)")
    ResponseEntity<RunView> run(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(defaultValue = "sync") @Parameter(description = "sync: wait for the run to end and answer "
                    + "201 with it; async: answer 202 at once, with Location to poll; stream: answer its events as "
                    + "text/event-stream", schema = @Schema(allowableValues = { "sync", "async", "stream" })) String mode,
            @RequestBody AgentRunner.RunRequest request) {
        switch (mode) {
            case "sync" -> {
                RunLedger.RunWithSteps ran = runner.run(caller, request);
                return ResponseEntity.created(URI.create("/api/v1/runs/" + ran.run().id()))
                    .body(new RunView(ran.run(), ran.steps()));
            }
            case "async" -> {
                RunLedger.Run accepted = runner.accept(caller, request);
                return ResponseEntity.accepted().location(URI.create("/api/v1/runs/" + accepted.id()))
                    .body(new RunView(accepted, List.of()));
            }
            default -> throw DomainProblem.invalidParameter("mode", "mode must be sync, async or stream");
        }
    }

    @PostMapping(params = "mode=stream", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "runAgent", summary = "Run an agent, streaming its events",
            description = "Starts the run and streams its events as they happen. " + EVENTS + " Location names the "
                    + "run; reconnect to its events with Last-Event-ID to get what was missed. onDisconnect=cancel "
                    + "(default) cancels the run when no client listens for the reconnect grace; continue lets it run.")
    @ApiResponse(responseCode = "200",
            description = "The run's events as server-sent events; Location names the run",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "409",
            description = "No published version to run, or the session is running another turn "
                    + "(runtime/agent-not-runnable, runtime/session-busy)")
    ResponseEntity<StreamingResponseBody> stream(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody AgentRunner.RunRequest request, HttpServletResponse response) {
        UUID id = streams.start(caller, request);
        return send(caller, id, 0, response);
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "followRunEvents", summary = "Follow a run's events",
            description = "Replays the run's events after Last-Event-ID (or ?after=, or from the first), then streams "
                    + "new ones until the run ends or waits for a decision. " + EVENTS)
    @ApiResponse(responseCode = "200",
            description = "The run's events as server-sent events",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    ResponseEntity<StreamingResponseBody> events(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id, @RequestHeader(name = "Last-Event-ID", required = false) Integer lastEventId,
            @RequestParam(required = false) Integer after, HttpServletResponse response) {
        ledger.find(caller.tenant(), id).orElseThrow(() -> DomainProblem.notFound("Run '" + id + "'"));
        return send(caller, id, lastEventId != null ? lastEventId : after != null ? after : 0, response);
    }

    @PostMapping(path = "/{id}/decision", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "decideRun", summary = "Approve or reject the tool call a run waits on",
            description = "For a run in requires_action: decision=approve runs the call (with the edited arguments "
                    + "when given) and the run goes on; reject tells the model the call was rejected (with the "
                    + "comment). mode=sync (default) answers 200 once the run has ended or waits again; async answers "
                    + "202 at once. 409 when the run is not waiting.")
    @ApiResponse(responseCode = "200",
            description = "mode=sync: the run once it has ended or waits again; mode=stream: its events from the "
                    + "decision on, as server-sent events",
            content = { @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = RunView.class)),
                    @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")) })
    @ApiResponse(responseCode = "202", description = "mode=async: the run, going on; poll Location")
    @ApiResponse(responseCode = "409", description = "The run is not waiting for a decision (runtime/run-not-waiting)")
    ResponseEntity<RunView> decide(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id, @RequestParam(defaultValue = "sync") @Parameter(description = "sync: wait until "
                    + "the run ends or waits again; async: answer 202 at once; stream: answer its events as "
                    + "text/event-stream", schema = @Schema(allowableValues = { "sync", "async", "stream" })) String mode,
            @RequestBody AgentRunner.DecisionRequest request) {
        switch (mode) {
            case "sync" -> {
                runner.decide(caller, id, request, true);
                return ResponseEntity.ok(view(caller, id));
            }
            case "async" -> {
                runner.decide(caller, id, request, false);
                return ResponseEntity.accepted().location(URI.create("/api/v1/runs/" + id)).body(view(caller, id));
            }
            default -> throw DomainProblem.invalidParameter("mode", "mode must be sync, async or stream");
        }
    }

    @PostMapping(path = "/{id}/decision", params = "mode=stream", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "decideRun", summary = "Decide on the waiting tool call and stream what the run does next")
    @ApiResponse(responseCode = "200",
            description = "mode=sync: the run once it has ended or waits again; mode=stream: its events from the "
                    + "decision on, as server-sent events",
            content = { @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = RunView.class)),
                    @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")) })
    @ApiResponse(responseCode = "409", description = "The run is not waiting for a decision (runtime/run-not-waiting)")
    ResponseEntity<StreamingResponseBody> decideStreaming(
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @RequestBody AgentRunner.DecisionRequest request, HttpServletResponse response) {
        int before = streams.lastEvent(id);
        runner.decide(caller, id, request, false);
        return send(caller, id, before, response);
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelRun", summary = "Cancel a queued, running or waiting run",
            description = "The run ends cancelled. 200 with the run once it has ended cancelled (at once for a queued "
                    + "or waiting run, within moments for one running on the instance asked); 202 with the run still "
                    + "'cancelling' when another instance runs it, which ends it at its next step; 409 when it had "
                    + "already ended.")
    @ApiResponse(responseCode = "200", description = "The run, cancelled, with its steps")
    @ApiResponse(responseCode = "202", description = "The run, still cancelling on another instance; Location to follow")
    @ApiResponse(responseCode = "409", description = "The run has already ended (conflict)")
    ResponseEntity<RunView> cancel(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id) {
        if (!runner.cancel(caller, id)) {
            throw new DomainProblem(io.retinue.shared.ProblemType.CONFLICT, "Run " + id + " has already ended");
        }
        // Interrupted here, a run ends at once: answer with its end rather than with 'cancelling'.
        runner.awaitEnd(caller, id, CANCEL_PATIENCE);
        RunView view = view(caller, id);
        return view.run().inProgress()
                ? ResponseEntity.accepted().location(URI.create("/api/v1/runs/" + id)).body(view)
                : ResponseEntity.ok(view);
    }

    /** How long a cancel waits for a run this instance works on to end. */
    private static final java.time.Duration CANCEL_PATIENCE = java.time.Duration.ofSeconds(5);

    @GetMapping("/{id}")
    @Operation(operationId = "getRun", summary = "A run and its steps",
            description = "Its status, output, error code and every step (model calls and tool calls).")
    RunView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return view(caller, id);
    }

    @GetMapping
    @Operation(operationId = "listRuns", summary = "Runs, newest first",
            description = "Filtered by agent (slug), session, status and createdAt (since inclusive, until "
                    + "exclusive); pass nextCursor back as cursor, with the same filters, for the next page.")
    Page<RunLedger.Run> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String agent, @RequestParam(required = false) UUID session,
            @RequestParam(required = false) @Parameter(schema = @Schema(allowableValues = { "queued", "running",
                    "requires_action", "completed", "failed", "cancelled", "timed_out" })) String status,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        return ledger.query(new RunQuery(caller.tenant(), agent, session, status, since, until, limit, cursor));
    }

    private RunView view(Caller caller, UUID id) {
        RunLedger.RunWithSteps found = ledger.withSteps(caller.tenant(), id)
            .orElseThrow(() -> DomainProblem.notFound("Run '" + id + "'"));
        return new RunView(found.run(), found.steps());
    }

    /**
     * Streams the run's events as text/event-stream, flushing each, until the run ends or the client goes. The events
     * are sent from a thread of their own (an asynchronous request): the request's thread, whose stack holds the whole
     * filter chain, is let go instead of waiting as long as the run (28 KiB of the 180 KiB an open stream held).
     */
    private ResponseEntity<StreamingResponseBody> send(Caller caller, UUID id, int after,
            HttpServletResponse response) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        // The stream handed to the body passes no flush on (Spring 7 leaves flushing to the end of a response): each
        // event goes to the response's own stream, flushed, which also fails once the client has gone.
        StreamingResponseBody events = unflushed -> {
            MDC.setContextMap(context == null ? Map.of() : context);
            try {
                follow(caller, id, after, response.getOutputStream());
            }
            finally {
                MDC.clear();
            }
        };
        // The headers are sent here, on the request's thread: the events go out from another thread while this one
        // is still on its way out through the filters, which add headers of their own unless the response is
        // committed — two threads on one response's headers (Tomcat failed one stream in 5,000 with an NPE). What
        // Spring MVC would set from the ResponseEntity afterwards goes nowhere once the response is committed.
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8).toString());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        response.setHeader(HttpHeaders.LOCATION, "/api/v1/runs/" + id);
        try {
            response.flushBuffer();
        }
        catch (IOException gone) {
            // The client has gone already: the first event's write finds that out, as it does later on.
        }
        return ResponseEntity.ok().body(events);
    }

    private void follow(Caller caller, UUID id, int after, OutputStream out) {
        streams.follow(caller, id, after, new RunStreams.Sink() {

            @Override
            public void event(int eventId, String type, String data) throws IOException {
                write("id: " + eventId + "\nevent: " + type + "\ndata: " + data + "\n\n");
            }

            @Override
            public void comment(String text) throws IOException {
                write(": " + text + "\n\n");
            }

            @Override
            public void reconnect(long millis) throws IOException {
                write("retry: " + millis + "\n\n");
            }

            private void write(String frame) throws IOException {
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        });
    }
}
