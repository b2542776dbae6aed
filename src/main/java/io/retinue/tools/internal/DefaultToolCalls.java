package io.retinue.tools.internal;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.springframework.stereotype.Service;

import com.networknt.schema.SchemaRegistry;

import io.modelcontextprotocol.spec.McpSchema;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.JsonSchemas;
import io.retinue.shared.SecretFields;
import io.retinue.shared.TenantId;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.AddressGuard;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.outbound.OutboundTarget;
import io.retinue.shared.outbound.OutboundUnavailable;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;
import io.retinue.tools.ToolOutcome;
import io.retinue.tools.ToolOutcome.Failed.Reason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's ToolExecutor: permission first (default deny, decision recorded), then the arguments against the
 * tool's schema, then the run under the outbound guard (the tool's own timeout, breaker, bulkhead; retries only for
 * idempotent tools), then the output cap — and an execution record for every outcome.
 */
@Service
class DefaultToolCalls implements ToolCalls, ToolCatalog {

    private final ToolRegistry registry;
    private final ToolPermissions permissions;
    private final ExecutionLedger ledger;
    private final Builtins builtins;
    private final HttpTools http;
    private final McpServers mcp;
    private final OutboundCalls outbound;
    private final JsonMapper json;
    private final SchemaRegistry schemas = JsonSchemas.registry();

    DefaultToolCalls(ToolRegistry registry, ToolPermissions permissions, ExecutionLedger ledger, Builtins builtins,
            HttpTools http, McpServers mcp, OutboundCalls outbound, JsonMapper json) {
        this.registry = registry;
        this.permissions = permissions;
        this.ledger = ledger;
        this.builtins = builtins;
        this.http = http;
        this.mcp = mcp;
        this.outbound = outbound;
        this.json = json;
    }

    @Override
    public List<ToolDescriptor> availableTo(Caller caller, String agent) {
        List<ToolPermissions.Grant> grants = permissions.grants(caller.tenant());
        return registry.search(caller.tenant(), null, null, null, true, null, Integer.MAX_VALUE)
            .stream()
            .filter(tool -> permissions.evaluate(grants, caller, agent, tool, null).effect() != ToolPermissions.Effect.DENY)
            .map(Tool::descriptor)
            .toList();
    }

    @Override
    public ToolOutcome call(ToolCall call) {
        TenantId tenant = call.caller().tenant();
        Optional<ExecutionLedger.Execution> earlier = ledger.byIdempotencyKey(tenant, call.idempotencyKey());
        if (earlier.isPresent()) {
            // A repeat of the same call answers as the first did; the key of another tool's or another caller's call
            // answers nothing of it.
            ExecutionLedger.Execution first = earlier.get();
            if (!first.tool().equals(call.tool()) || !first.caller().equals(call.caller().principalId())
                    || !java.util.Objects.equals(first.agent(), call.agent())) {
                throw new DomainProblem(ProblemType.IDEMPOTENCY_KEY_REUSED, "The idempotency key was used for another "
                        + "call (another tool, caller or agent); use a key of its own for each call",
                        List.of(new Violation("/idempotencyKey", "used for another call")), java.util.Map.of());
            }
            return replay(first);
        }
        Tool tool = registry.current(tenant, call.tool())
            .orElseThrow(() -> DomainProblem.notFound("Tool '" + call.tool() + "'"));
        if (!tool.enabled()) {
            throw new DomainProblem(ToolProblems.DISABLED, "Tool '" + tool.name() + "' is disabled");
        }
        JsonNode arguments = call.arguments() == null ? json.createObjectNode() : call.arguments();
        Instant started = ledger.now();
        ToolPermissions.Decision decision = permissions.decide(call.caller(), call.agent(), tool, arguments);
        if (decision.effect() == ToolPermissions.Effect.DENY) {
            UUID id = record(call, tool, arguments, started, "denied", null, false, decision.reason());
            return new ToolOutcome.Denied(id, decision.reason());
        }
        if (decision.effect() == ToolPermissions.Effect.REQUIRE_APPROVAL && call.approvedBy() == null) {
            UUID id = record(call, tool, arguments, started, "approval_required", null, false, decision.reason());
            return new ToolOutcome.ApprovalRequired(id, decision.reason());
        }
        List<Violation> violations = violations(tool.inputSchema(), arguments);
        if (!violations.isEmpty()) {
            UUID id = record(call, tool, arguments, started, "invalid_arguments", null, false,
                    violations.size() + " argument problem(s)");
            return new ToolOutcome.InvalidArguments(id, violations);
        }
        try {
            Supplier<Output> run = prepared(tenant, tool, arguments, call.idempotencyKey());
            Output output = outbound.call(new OutboundTarget("tool:" + tool.name(), tool.idempotent()),
                    Duration.ofMillis(tool.timeoutMs()), tool.maxConcurrency(), ToolFailures::isTransient, run);
            UUID id = record(call, tool, arguments, started, "completed", output.result(), output.truncated(), null);
            return new ToolOutcome.Completed(id, output.result(), output.truncated());
        }
        catch (OutboundUnavailable unavailable) {
            Reason reason = unavailable.type() == OutboundUnavailable.TIMEOUT ? Reason.TIMED_OUT
                    : unavailable.type() == OutboundUnavailable.SATURATED ? Reason.SATURATED : Reason.CIRCUIT_OPEN;
            return failed(call, tool, arguments, started, reason, unavailable.getMessage(), true,
                    unavailable.retryAfter());
        }
        catch (AddressGuard.Refused refused) {
            return failed(call, tool, arguments, started, Reason.REFUSED, "refused: " + refused.getMessage(), false,
                    null);
        }
        catch (HttpTools.UpstreamError failure) {
            return failed(call, tool, arguments, started, Reason.FAILED, failure.getMessage(), failure.isTransient(),
                    failure.retryAfter());
        }
        catch (Builtins.BuiltinFailure | McpServers.ToolError failure) {
            return failed(call, tool, arguments, started, Reason.FAILED, failure.getMessage(), false, null);
        }
        catch (UncheckedIOException | McpServers.Unreachable unreachable) {
            return failed(call, tool, arguments, started, Reason.UNAVAILABLE, unreachable.getMessage(), true, null);
        }
    }

    private ToolOutcome.Failed failed(ToolCall call, Tool tool, JsonNode arguments, Instant started, Reason reason,
            String error, boolean retryable, Duration retryAfter) {
        UUID id = record(call, tool, arguments, started, reason.status(), null, false, error);
        return new ToolOutcome.Failed(id, error, retryable, reason, retryAfter);
    }

    @Override
    public Optional<ToolOutcome> recorded(TenantId tenant, String idempotencyKey) {
        return ledger.byIdempotencyKey(tenant, idempotencyKey).map(this::replay);
    }

    /** A result and whether it was cut to the tool's output cap. */
    private record Output(JsonNode result, boolean truncated) {
    }

    /**
     * The tool's call, with what it needs from the database (credentials, its MCP server) read now: the guarded call
     * it is made in may be interrupted (a cancel, a timeout), and an interrupt inside a JDBC call closes the connection.
     */
    private Supplier<Output> prepared(TenantId tenant, Tool tool, JsonNode arguments, String idempotencyKey) {
        if (tool.kind() == ToolKind.HTTP) {
            HttpTools.Prepared request = http.prepare(tenant, tool, arguments, idempotencyKey);
            return () -> {
                HttpTools.Result result = http.send(request);
                return new Output(result.body(), result.truncated());
            };
        }
        if (tool.kind() == ToolKind.MCP) {
            McpServers.Prepared call = mcp.prepare(tenant, tool, arguments);
            return () -> {
                McpSchema.CallToolResult result = mcp.call(call);
                return capped(tool, masked(mcpResult(result, mcp.secretsOf(call)), mcp.secretsOf(call)));
            };
        }
        return () -> capped(tool, builtins.run(tool.name(), arguments));
    }

    /** The result, cut to the tool's output cap. */
    private Output capped(Tool tool, JsonNode result) {
        byte[] bytes = json.writeValueAsBytes(result);
        if (bytes.length <= tool.maxOutputBytes()) {
            return new Output(result, false);
        }
        return new Output(json.getNodeFactory()
            .stringNode(new String(bytes, 0, tool.maxOutputBytes(), StandardCharsets.UTF_8)), true);
    }

    /** An MCP result as JSON: its structured content, else its text (parsed when it is JSON); an error result fails. */
    private JsonNode mcpResult(McpSchema.CallToolResult result, Set<String> secrets) {
        StringBuilder text = new StringBuilder();
        for (McpSchema.Content content : result.content() == null ? List.<McpSchema.Content>of() : result.content()) {
            if (content instanceof McpSchema.TextContent part) {
                text.append(part.text());
            }
        }
        if (Boolean.TRUE.equals(result.isError())) {
            throw new HttpTools.UpstreamError("the MCP tool reported an error: " + HttpTools.mask(text.toString(),
                    secrets));
        }
        if (result.structuredContent() != null) {
            return json.valueToTree(result.structuredContent());
        }
        try {
            return json.readTree(text.toString());
        }
        catch (tools.jackson.core.JacksonException notJson) {
            return json.getNodeFactory().stringNode(text.toString());
        }
    }

    /** Every text in {@code value} with the credential values masked, as an HTTP tool's answer is. */
    private JsonNode masked(JsonNode value, Set<String> secrets) {
        if (secrets.isEmpty()) {
            return value;
        }
        if (value.isString()) {
            return json.getNodeFactory().stringNode(HttpTools.mask(value.asString(), secrets));
        }
        if (value.isObject()) {
            tools.jackson.databind.node.ObjectNode copy = json.createObjectNode();
            value.properties().forEach(field -> copy.set(HttpTools.mask(field.getKey(), secrets),
                    masked(field.getValue(), secrets)));
            return copy;
        }
        if (value.isArray()) {
            tools.jackson.databind.node.ArrayNode copy = json.createArrayNode();
            value.forEach(item -> copy.add(masked(item, secrets)));
            return copy;
        }
        return value;
    }

    private List<Violation> violations(JsonNode schema, JsonNode arguments) {
        return JsonSchemas.violations(schemas.getSchema(schema), arguments, "");
    }

    private UUID record(ToolCall call, Tool tool, JsonNode arguments, Instant started, String status, JsonNode result,
            boolean truncated, String error) {
        String argumentsText = json.writeValueAsString(SecretFields.masked(arguments));
        String resultText = result == null ? null : json.writeValueAsString(result);
        UUID id = TimeOrderedIds.next();
        ledger.record(call.caller().tenant(), new ExecutionLedger.Execution(id, tool.name(), tool.version(),
                call.caller().principalId(), call.agent(), call.idempotencyKey(), status, started,
                ExecutionLedger.millisSince(started, ledger.now()), argumentsText, resultText,
                argumentsText.getBytes(StandardCharsets.UTF_8).length,
                resultText == null ? 0 : resultText.getBytes(StandardCharsets.UTF_8).length, truncated, error,
                call.approvedBy()));
        return id;
    }

    private ToolOutcome replay(ExecutionLedger.Execution earlier) {
        return switch (earlier.status()) {
            case "completed" -> new ToolOutcome.Completed(earlier.id(),
                    earlier.result() == null ? null : json.readTree(earlier.result()), earlier.truncated());
            case "denied" -> new ToolOutcome.Denied(earlier.id(), earlier.error());
            case "approval_required" -> new ToolOutcome.ApprovalRequired(earlier.id(), earlier.error());
            case "invalid_arguments" -> new ToolOutcome.InvalidArguments(earlier.id(), List.of());
            case "timed_out" -> new ToolOutcome.Failed(earlier.id(), earlier.error(), true, Reason.TIMED_OUT, null);
            case "unavailable" -> new ToolOutcome.Failed(earlier.id(), earlier.error(), true, Reason.UNAVAILABLE, null);
            case "saturated" -> new ToolOutcome.Failed(earlier.id(), earlier.error(), true, Reason.SATURATED, null);
            case "refused" -> new ToolOutcome.Failed(earlier.id(), earlier.error(), false, Reason.REFUSED, null);
            default -> new ToolOutcome.Failed(earlier.id(), earlier.error(), false);
        };
    }
}
