package io.retinue.analytics.web;

import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.analytics.internal.UsageReports;
import io.retinue.analytics.internal.UsageReports.Dimension;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Usage and tool reports of the tenant's runs over a range of UTC days, grouped and filtered, as JSON or as CSV
 * ({@code Accept: text/csv}) for a spreadsheet.
 */
@RestController
@Tag(name = "Analytics", description = "What the tenant's runs used and how they went, by day, agent, version and model")
class AnalyticsController {

    private static final String CSV = "text/csv";
    private static final int DEFAULT_LIMIT = 1000;

    private final UsageReports reports;

    AnalyticsController(UsageReports reports) {
        this.reports = reports;
    }

    @Schema(description = "A report: its range of UTC days (both included), what its rows are grouped by, its rows")
    record Report<T>(LocalDate from, LocalDate to, List<String> groupBy, List<T> rows) {
    }

    @GetMapping(path = "/api/v1/analytics/usage", produces = { MediaType.APPLICATION_JSON_VALUE, CSV })
    @Operation(operationId = "usageReport", summary = "Runs, outcomes, tokens, cost, latency, sessions and tool calls",
            description = "One row per group (groupBy: any of day, agent, version, model; none: one row for all). "
                    + "Runs count where they ended for good; waitsForDecision counts stretches that ended waiting "
                    + "for a person; tokens and cost count where each stretch ended. errorRate is (failed + timed "
                    + "out) / runs; latency is a run's working time (without queue waits and waits for a person), "
                    + "its percentiles within 5 %; costUsd leaves out unpricedTokens (models without a configured "
                    + "price). sort names a field (-field: highest first), e.g. groupBy=agent&sort=-costUsd&limit=10 "
                    + "gives the top agents. Accept: text/csv answers CSV.")
    @ApiResponse(responseCode = "200", description = "The report", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE),
            @Content(mediaType = CSV, schema = @Schema(type = "string")) })
    ResponseEntity<?> usage(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "First UTC day (default: 29 days before to)") @RequestParam(required = false)
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @Parameter(description = "Last UTC day, included (default: today)") @RequestParam(required = false)
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @Parameter(description = "Comma-separated: day, agent, version, model") @RequestParam(required = false)
            String groupBy,
            @RequestParam(required = false) String agent, @RequestParam(required = false) Integer version,
            @Parameter(description = "provider/name, e.g. openai/gpt-4o") @RequestParam(required = false) String model,
            @Parameter(description = "runs, completed, failed, errorRate, tokens, costUsd, modelCalls, toolCalls, "
                    + "sessions or latencyP90Ms; -field sorts highest first") @RequestParam(required = false)
            String sort,
            @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
            @Parameter(hidden = true) @org.springframework.web.bind.annotation.RequestHeader(
                    name = HttpHeaders.ACCEPT, required = false) String accept) {
        UsageReports.Query query = query(from, to, groupBy, UsageReports.USAGE, agent, version, model, null, sort,
                UsageReports.USAGE_SORTS.keySet(), limit);
        List<UsageReports.UsageRow> rows = reports.usage(caller.tenant(), query);
        if (wantsCsv(accept)) {
            return csv("usage", query, rows.stream().map(UsageView::of).toList(), UsageView.class);
        }
        return ResponseEntity.ok()
            .contentType(MediaType.APPLICATION_JSON)
            .body(new Report<>(query.from(), query.to(), wire(query.groupBy()), rows.stream().map(UsageView::of)
                .toList()));
    }

    @GetMapping(path = "/api/v1/analytics/tools", produces = { MediaType.APPLICATION_JSON_VALUE, CSV })
    @Operation(operationId = "toolReport", summary = "Tool calls, failures and their time",
            description = "One row per group (groupBy: any of day, agent, version, tool). Failures are calls that "
                    + "failed, were refused or had invalid arguments; calls waiting for a person's approval are "
                    + "counted once they ran. sort names a field (-field: highest first), e.g. "
                    + "groupBy=tool&sort=-calls&limit=10 gives the top tools. Accept: text/csv answers CSV.")
    @ApiResponse(responseCode = "200", description = "The report", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE),
            @Content(mediaType = CSV, schema = @Schema(type = "string")) })
    ResponseEntity<?> tools(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "First UTC day (default: 29 days before to)") @RequestParam(required = false)
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @Parameter(description = "Last UTC day, included (default: today)") @RequestParam(required = false)
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @Parameter(description = "Comma-separated: day, agent, version, tool") @RequestParam(required = false)
            String groupBy,
            @RequestParam(required = false) String agent, @RequestParam(required = false) Integer version,
            @RequestParam(required = false) String tool,
            @Parameter(description = "calls, failures, failureRate or averageMs; -field sorts highest first")
            @RequestParam(required = false) String sort,
            @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
            @Parameter(hidden = true) @org.springframework.web.bind.annotation.RequestHeader(
                    name = HttpHeaders.ACCEPT, required = false) String accept) {
        UsageReports.Query query = query(from, to, groupBy, UsageReports.TOOLS, agent, version, null, tool, sort,
                UsageReports.TOOL_SORTS.keySet(), limit);
        List<UsageReports.ToolRow> rows = reports.tools(caller.tenant(), query);
        if (wantsCsv(accept)) {
            return csv("tools", query, rows.stream().map(ToolView::of).toList(), ToolView.class);
        }
        return ResponseEntity.ok()
            .contentType(MediaType.APPLICATION_JSON)
            .body(new Report<>(query.from(), query.to(), wire(query.groupBy()), rows.stream().map(ToolView::of)
                .toList()));
    }

    private UsageReports.Query query(LocalDate from, LocalDate to, String groupBy, List<Dimension> dimensions,
            String agent, Integer version, String model, String tool, String sort, java.util.Set<String> sorts,
            int limit) {
        LocalDate[] range = reports.range(from, to);
        if (limit < 1 || limit > UsageReports.MAX_ROWS) {
            throw DomainProblem.invalidParameter("limit", "is between 1 and " + UsageReports.MAX_ROWS);
        }
        if (sort != null && !sorts.contains(sort.startsWith("-") ? sort.substring(1) : sort)) {
            throw DomainProblem.invalidParameter("sort", "is one of " + String.join(", ", new java.util.TreeSet<>(sorts))
                    + ", with - before it for highest first");
        }
        return new UsageReports.Query(range[0], range[1], dimensions(groupBy, dimensions), agent, version, model,
                tool, sort, limit);
    }

    private static List<Dimension> dimensions(String groupBy, List<Dimension> allowed) {
        if (groupBy == null || groupBy.isBlank()) {
            return List.of();
        }
        LinkedHashSet<Dimension> chosen = new LinkedHashSet<>();
        for (String name : groupBy.split(",")) {
            Dimension dimension = allowed.stream()
                .filter(candidate -> candidate.wire().equals(name.trim()))
                .findFirst()
                .orElseThrow(() -> DomainProblem.invalidParameter("groupBy", "names any of "
                        + allowed.stream().map(Dimension::wire).collect(Collectors.joining(", "))
                        + ", separated by commas"));
            chosen.add(dimension);
        }
        return List.copyOf(chosen);
    }

    private static List<String> wire(List<Dimension> dimensions) {
        return dimensions.stream().map(Dimension::wire).toList();
    }

    /** CSV when it is asked for by name, and JSON is not asked for as much: a client accepting anything gets JSON. */
    private static boolean wantsCsv(String accept) {
        if (accept == null) {
            return false;
        }
        double csv = 0;
        double json = 0;
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(accept);
        }
        catch (org.springframework.http.InvalidMediaTypeException unreadable) {
            return false;
        }
        for (MediaType type : types) {
            if (type.getType().equals("text") && type.getSubtype().equals("csv")) {
                csv = Math.max(csv, type.getQualityValue());
            }
            else if (type.equalsTypeAndSubtype(MediaType.APPLICATION_JSON)) {
                json = Math.max(json, type.getQualityValue());
            }
        }
        return csv > 0 && csv > json;
    }

    private static ResponseEntity<String> csv(String name, UsageReports.Query query, List<? extends Record> rows,
            Class<? extends Record> type) {
        return ResponseEntity.ok()
            .contentType(MediaType.parseMediaType(CSV + ";charset=UTF-8"))
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"retinue-" + name + "-" + query.from()
                    + "-" + query.to() + ".csv\"")
            .body(CsvTable.of(type, wire(query.groupBy()), rows));
    }
}
