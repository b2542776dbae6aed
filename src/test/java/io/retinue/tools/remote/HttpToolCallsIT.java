package io.retinue.tools.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Api;
import io.retinue.testing.Loopback;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolCallsContract;
import io.retinue.tools.ToolOutcome;
import io.retinue.tools.ToolOutcome.Failed.Reason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tool calls as a process without the tools module makes them: {@link HttpToolCalls} calling this platform's internal
 * endpoints, held to the same contract as the in-process API. Every outcome that came over HTTP must be the one the
 * tools module recorded for the call (as far as a record keeps it) and every {@code recorded} answer the in-process
 * one; every kind of outcome must cross the wire unchanged.
 */
class HttpToolCallsIT extends ToolCallsContract {

    @Autowired
    ApplicationContext context;

    @Autowired
    ToolCalls inProcess;

    @Autowired
    InternalTokens tokens;

    @Autowired
    JsonMapper mapper;

    @Override
    protected ToolCalls calls() {
        HttpToolCalls remote = new HttpToolCalls(Loopback.clients(context, port, "tools"));
        return new ToolCalls() {

            @Override
            public ToolOutcome call(ToolCall call) {
                ToolOutcome outcome = remote.call(call);
                ToolOutcome record = inProcess.recorded(call.caller().tenant(), call.idempotencyKey()).orElseThrow();
                if (outcome instanceof ToolOutcome.InvalidArguments || outcome instanceof ToolOutcome.Failed) {
                    // Their records keep neither the violations nor why and when to retry: the same execution, then.
                    assertThat(record).hasSameClassAs(outcome);
                    assertThat(executionId(record)).isEqualTo(executionId(outcome));
                }
                else {
                    assertThat(outcome).as("over HTTP as recorded").isEqualTo(record);
                }
                return outcome;
            }

            @Override
            public Optional<ToolOutcome> recorded(TenantId tenant, String idempotencyKey) {
                Optional<ToolOutcome> recorded = remote.recorded(tenant, idempotencyKey);
                assertThat(recorded).as("over HTTP as in-process").isEqualTo(inProcess.recorded(tenant, idempotencyKey));
                return recorded;
            }
        };
    }

    @Test
    void everyOutcomeCrossesTheWireUnchangedUnderAStableName() {
        UUID id = UUID.randomUUID();
        JsonNode result = mapper.readTree("{\"big\": 123456789012345678901234567890, \"decimal\": 0.1, \"list\": [null]}");
        List<ToolOutcome> outcomes = Stream.<ToolOutcome>concat(Stream.<ToolOutcome>of(
                new ToolOutcome.Completed(id, result, false),
                new ToolOutcome.Completed(id, mapper.getNodeFactory().stringNode("cut"), true),
                new ToolOutcome.Completed(id, mapper.getNodeFactory().nullNode(), false),
                new ToolOutcome.Completed(id, null, false),
                new ToolOutcome.InvalidArguments(id, List.of(new Violation("", "required property 'name' not found"),
                        new Violation("/age", "must be at least 0"))),
                new ToolOutcome.Denied(id, "no grant allows it"),
                new ToolOutcome.Denied(null, null),
                new ToolOutcome.ApprovalRequired(id, "grant g (agent:helper → crm.*)")),
                Arrays.stream(Reason.values()).flatMap(reason -> Stream.<ToolOutcome>of(
                        new ToolOutcome.Failed(id, "it broke", true, reason, Duration.ofSeconds(30)),
                        new ToolOutcome.Failed(id, "it broke", false, reason, Duration.ofSeconds(1234, 567_000_891)),
                        new ToolOutcome.Failed(id, "it broke", false, reason, null))))
            .toList();

        for (ToolOutcome outcome : outcomes) {
            String wire = mapper.writeValueAsString(outcome);
            assertThat(mapper.readValue(wire, ToolOutcome.class)).as(wire).isEqualTo(outcome);
        }
        assertThat(outcomes).extracting(outcome -> mapper.valueToTree(outcome).get("outcome").asString())
            .containsOnly("completed", "invalid_arguments", "denied", "approval_required", "failed");
        assertThat(Arrays.stream(Reason.values())
            .map(reason -> mapper.valueToTree(new ToolOutcome.Failed(id, "x", true, reason, null)).get("reason").asString()))
            .containsExactly("failed", "timed_out", "unavailable", "circuit_open", "saturated", "refused");
        assertThat(mapper.valueToTree(new ToolOutcome.Failed(id, "x", true, Reason.SATURATED, Duration.ofSeconds(30)))
            .get("retryAfter").asString()).as("ISO-8601").isEqualTo("PT30S");
    }

    @Test
    void aCallIsMadeAsTheTokensCallerWhichTheBodyCannotName() {
        TestTenant tenant = newTenant(api, "cw");
        Caller caller = new Caller(new TenantId(tenant.id()), "runtime", Set.of());
        Map<String, Object> call = Map.of("tool", "builtin.calculator", "arguments", Map.of("expression", "1+1"),
                "caller", Map.of("tenant", "default", "principalId", "admin", "scopes", List.of("admin")));

        Api.Reply reply = api.call("POST", "/internal/v1/tools/calls").anonymous()
            .header("Authorization", "Bearer " + tokens.mint(caller, "tools"))
            .json(call)
            .send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("type").asString()).endsWith("/unknown-field");
    }

    private static UUID executionId(ToolOutcome outcome) {
        return switch (outcome) {
            case ToolOutcome.Completed completed -> completed.executionId();
            case ToolOutcome.InvalidArguments invalid -> invalid.executionId();
            case ToolOutcome.Denied denied -> denied.executionId();
            case ToolOutcome.ApprovalRequired approval -> approval.executionId();
            case ToolOutcome.Failed failed -> failed.executionId();
        };
    }
}
