package io.retinue.tools.web;

import java.net.URI;
import java.util.List;
import java.util.Map;

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

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.outbound.OutboundUnavailable;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolOutcome;
import io.retinue.tools.internal.OpenApiImport;
import io.retinue.tools.internal.ToolAdmin;
import io.retinue.tools.internal.ToolKind;
import io.retinue.tools.internal.ToolProblems;
import io.retinue.tools.internal.ToolRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import tools.jackson.databind.JsonNode;

/** The tool registry over HTTP, and direct invocation for operators testing a tool. */
@RestController
@RequestMapping(path = "/api/v1/tools", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tools", description = "Register, version, enable, query and invoke tools")
class ToolController {

    private final ToolAdmin admin;
    private final ToolRegistry registry;
    private final ToolCalls calls;
    private final OpenApiImport openApi;

    ToolController(ToolAdmin admin, ToolRegistry registry, ToolCalls calls, OpenApiImport openApi) {
        this.admin = admin;
        this.registry = registry;
        this.calls = calls;
        this.openApi = openApi;
    }

    /** A direct invocation. */
    @Schema(name = "InvokeToolRequest", description = "A direct tool call: the arguments, the agent whose grants "
            + "apply, and an idempotency key")
    record Invoke(@Schema(description = "The tool's arguments") JsonNode arguments,
            @Schema(description = "Decide permissions as this agent (id or slug)") String agent,
            @Schema(description = "Runs at most once per key: the same call again answers as the first "
                    + "did; the key of another tool's, caller's or agent's call is refused (422 idempotency-key-reused)") String idempotencyKey) {
    }

    /** What an invocation returned. */
    @Schema(name = "ToolResult", description = "What a tool call returned, with its execution id; truncated when it "
            + "was cut to the tool's size limit")
    record Result(String executionId, JsonNode result, boolean truncated) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "registerTool", summary = "Register a tool (version 1)", description = "Kind http: a request template with "
            + "{argument} placeholders and {{secret:name}} credential references.")
    @ApiResponse(responseCode = "201", description = "The tool's version 1; Location names it")
    @ApiResponse(responseCode = "409", description = "A tool of that name exists (tools/name-taken)")
    ResponseEntity<ToolView> register(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody ToolAdmin.Definition definition) {
        ToolView tool = ToolView.of(admin.register(caller, definition));
        return ResponseEntity.created(URI.create("/api/v1/tools/" + tool.name())).body(tool);
    }

    @PostMapping(path = "/openapi-import", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "importOpenApiTools", summary = "Import the operations of an OpenAPI 3 document as http tools",
            description = "Give the document (JSON or YAML text) or its url; tools are named "
                    + "<namespace>.<operationId>. "
                    + "Importing again versions changed operations and leaves unchanged ones.")
    @ApiResponse(responseCode = "200", description = "The tools made or versioned, and warnings")
    @ApiResponse(responseCode = "409",
            description = "A tool of that name exists that the import did not make (tools/name-taken)")
    OpenApiImport.Result importOpenApi(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody OpenApiImport.Request request) {
        return openApi.importDocument(caller, request);
    }

    @GetMapping
    @Operation(operationId = "listTools", summary = "List and filter tools (current versions, builtins included), by name",
            description = "Filtered by text in the name, tag, kind and enabled; pass nextCursor back as cursor for "
                    + "the next page.")
    Page<ToolView> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String q, @RequestParam(required = false) String tag,
            @RequestParam(required = false) @Parameter(schema = @Schema(allowableValues = { "builtin", "http", "mcp" })) String kind,
            @RequestParam(required = false) Boolean enabled, @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > 200) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and 200");
        }
        // The cursor is the last name of the page before: anything else is none this API issued.
        if (cursor != null && !ToolAdmin.isToolName(cursor)) {
            throw DomainProblem.invalidParameter("cursor", "the cursor is not one this API issued");
        }
        ToolKind toolKind;
        try {
            toolKind = kind == null ? null : ToolKind.fromWire(kind);
        }
        catch (IllegalArgumentException ex) {
            throw DomainProblem.invalidParameter("kind", "kind must be builtin, http or mcp");
        }
        List<ToolView> tools = registry.search(caller.tenant(), q, tag, toolKind, enabled, cursor, limit + 1)
            .stream()
            .map(ToolView::of)
            .toList();
        boolean more = tools.size() > limit;
        List<ToolView> page = more ? tools.subList(0, limit) : tools;
        return new Page<>(page, more ? page.getLast().name() : null);
    }

    @GetMapping("/{name}")
    @Operation(operationId = "getTool", summary = "The current version of a tool",
            description = "Its definition, input schema, version and whether it is enabled.")
    ToolView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return registry.current(caller.tenant(), name)
            .map(ToolView::of)
            .orElseThrow(() -> DomainProblem.notFound("Tool '" + name + "'"));
    }

    @GetMapping("/{name}/versions")
    @Operation(operationId = "listToolVersions", summary = "Every version of a tool, newest first",
            description = "Each stored definition; runs record the version they called.")
    List<ToolView> versions(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return registry.versions(caller.tenant(), name).stream().map(ToolView::of).toList();
    }

    @PutMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "reviseTool", summary = "Change a tool: stores the definition as its next version",
            description = "The definition given replaces the current one as a new version; earlier versions are kept.")
    @ApiResponse(responseCode = "200", description = "The tool's new current version")
    @ApiResponse(responseCode = "409", description = "The tool is read-only (tools/read-only)")
    ToolView revise(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name,
            @RequestBody ToolAdmin.Definition definition) {
        return ToolView.of(admin.revise(caller, name, definition));
    }

    @PostMapping("/{name}/enable")
    @Operation(operationId = "enableTool", summary = "Enable a tool",
            description = "Calls are allowed again, subject to grants.")
    @ApiResponse(responseCode = "200", description = "The tool, enabled")
    @ApiResponse(responseCode = "409", description = "The tool is read-only (tools/read-only)")
    ToolView enable(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return ToolView.of(admin.setEnabled(caller, name, true));
    }

    @PostMapping("/{name}/disable")
    @Operation(operationId = "disableTool", summary = "Disable a tool: calls to it are refused until it is enabled again",
            description = "Direct calls answer 409 tools/tool-disabled while it is disabled.")
    @ApiResponse(responseCode = "200", description = "The tool, disabled")
    @ApiResponse(responseCode = "409", description = "The tool is read-only (tools/read-only)")
    ToolView disable(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return ToolView.of(admin.setEnabled(caller, name, false));
    }

    @DeleteMapping("/{name}")
    @Operation(operationId = "deleteTool", summary = "Delete a tool and all its versions",
            description = "Refused while agents name the tool, and for builtins.")
    @ApiResponse(responseCode = "204", description = "Deleted, with all its versions")
    @ApiResponse(responseCode = "409",
            description = "The tool is read-only or agents use it (tools/read-only, tools/tool-in-use)")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name) {
        admin.delete(caller, name);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/{name}/invoke", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "invokeTool", summary = "Run a tool directly (permission-checked, validated, recorded)",
            description = "422 tools/invalid-arguments lists every argument problem; 403 tools/permission-denied or "
                    + "tools/approval-required; 502 tools/execution-failed when the tool failed, timed out or could not be "
                    + "reached (retryable says whether trying again may help; Retry-After when the tool server sent one); "
                    + "503 outbound/circuit-open or outbound/saturated with Retry-After when it was not called because "
                    + "its breaker is open or too many calls to it are in flight; every answer names the executionId.")
    @ApiResponse(responseCode = "200", description = "The tool's result, with the executionId")
    @ApiResponse(responseCode = "403",
            description = "The credentials lack runs:execute, no grant allows the call, or a grant requires approval "
                    + "(forbidden, tools/permission-denied, tools/approval-required)")
    @ApiResponse(responseCode = "409", description = "The tool is disabled (tools/tool-disabled)")
    @ApiResponse(responseCode = "422",
            description = "The arguments do not match the tool's input schema: every violation, with executionId "
                    + "(tools/invalid-arguments)")
    @ApiResponse(responseCode = "502",
            description = "The tool failed, timed out or could not be reached (tools/execution-failed; retryable, "
                    + "Retry-After when its server sent one)")
    Result invoke(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name,
            @RequestBody Invoke body) {
        if (name.isBlank()) {
            // No tool has a blank name; ToolCall would refuse it as a programming error.
            throw DomainProblem.notFound("The tool");
        }
        ToolOutcome outcome = calls.call(new ToolCall(caller, body.agent(), name, body.arguments(), body.idempotencyKey()));
        return switch (outcome) {
            case ToolOutcome.Completed done -> new Result(done.executionId().toString(), done.result(), done.truncated());
            case ToolOutcome.InvalidArguments invalid -> throw new DomainProblem(ToolProblems.INVALID_ARGUMENTS,
                    "The arguments do not match the tool's input schema", invalid.violations(),
                    Map.of("executionId", invalid.executionId().toString()));
            case ToolOutcome.Denied denied -> throw new DomainProblem(ToolProblems.DENIED, denied.reason(), List.of(),
                    Map.of("executionId", denied.executionId().toString()));
            case ToolOutcome.ApprovalRequired approval -> throw new DomainProblem(ToolProblems.APPROVAL_REQUIRED,
                    approval.reason(), List.of(), Map.of("executionId", approval.executionId().toString()));
            case ToolOutcome.Failed failed -> throw new ToolFailed(failed);
        };
    }

    /**
     * A failed call as a problem: 503 with the guard's own type when the tool was not called (its breaker is open,
     * too many calls are in flight), else 502 {@code tools/execution-failed}; with Retry-After when it is known.
     */
    static final class ToolFailed extends DomainProblem {

        private final transient java.time.Duration retryAfter;

        ToolFailed(ToolOutcome.Failed failed) {
            super(switch (failed.reason()) {
                case CIRCUIT_OPEN -> OutboundUnavailable.CIRCUIT_OPEN;
                case SATURATED -> OutboundUnavailable.SATURATED;
                default -> ToolProblems.EXECUTION_FAILED;
            }, failed.error(), List.of(), Map.of("executionId", failed.executionId().toString(), "retryable",
                    failed.retryable()));
            this.retryAfter = failed.retryAfter();
        }

        @Override
        public java.time.Duration retryAfter() {
            return retryAfter;
        }
    }
}
