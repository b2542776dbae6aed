package io.retinue.runtime.web;

import java.net.URI;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.runtime.internal.budgets.Budgets;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.web.QueryParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Token and cost budgets of the tenant and its agents, with what their current periods have used. */
@RestController
@RequestMapping(path = "/api/v1/budgets", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Budgets", description = "Cap the tokens and estimated cost runs may use per day or month")
class BudgetController {

    private final Budgets budgets;

    BudgetController(Budgets budgets) {
        this.budgets = budgets;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createBudget", summary = "Set a budget for the tenant's runs or one agent's",
            description = "Looked at before every model call: once a period's usage reaches maxTokens or maxCostUsd "
                    + "(estimated from the configured prices), runs it covers end failed with errorCode "
                    + "budget_exceeded until the next UTC day or month. The tenant's webhook subscriptions are sent "
                    + "budget.threshold_reached at 80 % and 100 %. One budget per scope and period.")
    @ApiResponse(responseCode = "201", description = "The budget; Location names it")
    @ApiResponse(responseCode = "409", description = "The scope has a budget for that period (runtime/budget-exists)")
    ResponseEntity<Budgets.Budget> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody Budgets.BudgetRequest request) {
        Budgets.Budget budget = budgets.create(caller.tenant(), request);
        return ResponseEntity.created(URI.create("/api/v1/budgets/" + budget.id())).body(budget);
    }

    @GetMapping
    @Operation(operationId = "listBudgets", summary = "Budgets with their current usage, newest first",
            description = "agent keeps one agent's (its slug); pass nextCursor back as cursor for the next page.")
    Page<Budgets.Budget> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String agent, @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) String cursor) {
        return budgets.list(caller.tenant(), agent, QueryParameters.limit(limit), cursor);
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getBudget", summary = "A budget with its current usage",
            description = "usage holds the current period's tokens and estimated cost, when it started and resets, "
                    + "and how far it is towards the nearer cap.")
    Budgets.Budget get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return budgets.find(caller.tenant(), id).orElseThrow(() -> notFound(id));
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "updateBudget", summary = "Change a budget's caps",
            description = "agent and period are as the budget has them (they are not changed); the usage so far stays.")
    Budgets.Budget update(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @RequestBody Budgets.BudgetRequest request) {
        return budgets.update(caller.tenant(), id, request).orElseThrow(() -> notFound(id));
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteBudget", summary = "Remove a budget", description = "Runs no longer answer to it.")
    @ApiResponse(responseCode = "204", description = "Removed")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id) {
        if (!budgets.delete(caller.tenant(), id)) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static DomainProblem notFound(UUID id) {
        return DomainProblem.notFound("Budget '" + id + "'");
    }
}
