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

import io.retinue.runtime.internal.schedules.Schedules;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.web.QueryParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** Schedules that start runs of an agent at the times of a cron expression. */
@RestController
@RequestMapping(path = "/api/v1/schedules", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Schedules", description = "Start runs of an agent on a cron schedule")
class ScheduleController {

    private final Schedules schedules;

    ScheduleController(Schedules schedules) {
        this.schedules = schedules;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createSchedule", summary = "Schedule runs of an agent",
            description = "cron has 5 fields (minute hour day month weekday) or 6 (with seconds first); timeZone is an "
                    + "IANA zone (default UTC). Each due time queues one async run, as the caller who made the "
                    + "schedule as they stand at that time, however many instances run; when they may no longer run "
                    + "the agent, or the agent is archived or deleted, the schedule pauses with pausedReason.")
    @ApiResponse(responseCode = "201", description = "The schedule; Location names it")
    @ApiResponse(responseCode = "409",
            description = "The agent has no version to run, or the caller may not run it (runtime/agent-not-runnable)")
    ResponseEntity<Schedules.Schedule> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody Schedules.ScheduleRequest request) {
        Schedules.Schedule schedule = schedules.create(caller, request);
        return ResponseEntity.created(URI.create("/api/v1/schedules/" + schedule.id())).body(schedule);
    }

    @GetMapping
    @Operation(operationId = "listSchedules", summary = "Schedules, newest first",
            description = "Pass nextCursor back as cursor for the next page.")
    Page<Schedules.Schedule> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        return schedules.list(caller.tenant(), QueryParameters.limit(limit), cursor);
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getSchedule", summary = "A schedule",
            description = "Its cron, time zone, next due time, state and, when paused by the platform, pausedReason.")
    Schedules.Schedule get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return schedules.find(caller.tenant(), id).orElseThrow(() -> DomainProblem.notFound("Schedule '" + id + "'"));
    }

    @GetMapping("/{id}/fires")
    @Operation(operationId = "listScheduleFires", summary = "The times a schedule fired, newest first, with the run each queued (or why it could not)",
            description = "Each due time, the run it queued or why it queued none.")
    List<Schedules.Fire> fires(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @RequestParam(defaultValue = "100") int limit) {
        get(caller, id);
        return schedules.fires(caller.tenant(), id, limit);
    }

    @PostMapping("/{id}/pause")
    @Operation(operationId = "pauseSchedule", summary = "Pause a schedule",
            description = "No run starts while paused; due times missed then never fire.")
    Schedules.Schedule pause(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return schedules.pause(caller.tenant(), id)
            .orElseThrow(() -> DomainProblem.notFound("Schedule '" + id + "'"));
    }

    @PostMapping("/{id}/resume")
    @Operation(operationId = "resumeSchedule", summary = "Resume a schedule from now (due times missed while paused do not fire)",
            description = "The schedule runs as the caller from then on (runsAs). 409 runtime/agent-not-runnable when "
                    + "its agent has no version to run or the caller may not run it.")
    @ApiResponse(responseCode = "200", description = "The schedule, active, running as the caller")
    @ApiResponse(responseCode = "409",
            description = "The agent has no version to run, or the caller may not run it (runtime/agent-not-runnable)")
    Schedules.Schedule resume(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return schedules.resume(caller, id)
            .orElseThrow(() -> DomainProblem.notFound("Schedule '" + id + "'"));
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteSchedule", summary = "Delete a schedule (and the record of its fires)",
            description = "No run starts from it any more.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        if (!schedules.delete(caller.tenant(), id)) {
            throw DomainProblem.notFound("Schedule '" + id + "'");
        }
        return ResponseEntity.noContent().build();
    }
}
