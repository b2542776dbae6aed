package io.retinue.runtime.web;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.runtime.internal.AgentRunner;
import io.retinue.runtime.internal.RunLedger;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Runs of agents: start one synchronously, read it with its steps, list runs. */
@RestController
@RequestMapping(path = "/api/v1/runs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Runs", description = "Run published agents and read what they did")
class RunController {

    private final AgentRunner runner;
    private final RunLedger ledger;

    RunController(AgentRunner runner, RunLedger ledger) {
        this.runner = runner;
        this.ledger = ledger;
    }

    /** A run with its steps. */
    record RunView(RunLedger.Run run, List<RunLedger.Step> steps) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Run an agent once",
            description = "Runs the live version (or the published version given) with the input and template "
                    + "variables. mode=sync (default) answers 201 with the finished run (completed, failed, timed_out, "
                    + "cancelled or requires_action); mode=async answers 202 at once with Location to poll.")
    ResponseEntity<RunView> run(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(defaultValue = "sync") @Parameter(schema = @io.swagger.v3.oas.annotations.media.Schema(
                    allowableValues = { "sync", "async" })) String mode,
            @RequestBody AgentRunner.RunRequest request) {
        switch (mode) {
            case "sync" -> {
                UUID id = runner.run(caller, request);
                return ResponseEntity.created(URI.create("/api/v1/runs/" + id)).body(view(caller, id));
            }
            case "async" -> {
                UUID id = runner.start(caller, request);
                return ResponseEntity.accepted().location(URI.create("/api/v1/runs/" + id)).body(view(caller, id));
            }
            default -> throw DomainProblem.invalidParameter("mode", "mode must be sync or async");
        }
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a queued or running run",
            description = "The run ends cancelled; 409 when it has already ended.")
    RunView cancel(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        if (!runner.cancel(caller, id)) {
            throw new DomainProblem(io.retinue.shared.ProblemType.CONFLICT, "Run " + id + " has already ended");
        }
        return view(caller, id);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A run and its steps")
    RunView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return view(caller, id);
    }

    @GetMapping
    @Operation(summary = "Runs, newest first")
    Page<RunLedger.Run> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String agent, @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "50") int limit) {
        return new Page<>(ledger.query(caller.tenant(), agent, status, Math.max(1, Math.min(200, limit))), null);
    }

    private RunView view(Caller caller, UUID id) {
        RunLedger.Run run = ledger.find(caller.tenant(), id).orElseThrow(() -> DomainProblem.notFound("Run '" + id + "'"));
        return new RunView(run, ledger.steps(id));
    }
}
