package io.retinue.tools;

import static io.retinue.tools.ToolFixtures.grant;
import static io.retinue.tools.ToolFixtures.httpTool;
import static io.retinue.tools.ToolFixtures.runtimeOf;
import static io.retinue.tools.ToolFixtures.uniqueTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every {@link ToolCalls} must do, in-process or remote: run a permitted call with valid arguments and answer
 * its result as it came; answer invalid arguments with every violation, a denial, a call held for approval (which
 * {@code approvedBy} lets through) and a failing tool as outcomes, all recorded; run a call with an idempotency key
 * once and find its record by that key, in its own tenant only.
 */
public abstract class ToolCallsContract extends PlatformIT {

    @Autowired
    JsonMapper json;

    protected abstract ToolCalls calls();

    @Test
    void aPermittedCallCompletesWithItsResultAsTheToolAnsweredIt() {
        TestTenant tenant = newTenant(api, "cc");
        String echo = uniqueTool("echo");
        httpTool(tenant.owner(), echo, "POST", "/pets", Map.of("http", Map.of("method", "POST", "url",
                ToolFixtures.upstream("/pets"), "body", "arguments")));
        grant(tenant.owner(), "agent:helper", echo, "allow");
        JsonNode arguments = json.readTree("""
                {"text": "h\\u00e9llo \\u2603 \\"quoted\\" \\ud83d\\ude00", "n": 42, "negative": -7,
                 "big": 123456789012345678901234567890, "decimal": 0.1, "exponent": 1.5e300, "yes": true, "no": false,
                 "nothing": null, "list": [1, "two", [3.0], {"four": 4}, null], "empty": {}, "none": []}""");

        ToolOutcome outcome = calls().call(new ToolCall(runtimeOf(tenant), "helper", echo, arguments, key()));

        assertThat(outcome).isInstanceOfSatisfying(ToolOutcome.Completed.class, completed -> {
            assertThat(completed.executionId()).isNotNull();
            assertThat(completed.truncated()).isFalse();
            assertThat(completed.result().get("method").asString()).isEqualTo("POST");
            assertThat(completed.result().get("body")).isEqualTo(arguments);
        });
    }

    @Test
    void invalidArgumentsAreAnsweredWithEveryViolationAndNothingRuns() {
        TestTenant tenant = newTenant(api, "ci");
        String create = uniqueTool("create");
        String path = "/ok?n=" + UUID.randomUUID();
        httpTool(tenant.owner(), create, "POST", path, Map.of("inputSchema", Map.of("type", "object", "required",
                List.of("name"), "properties", Map.of("name", Map.of("type", "string"), "age", Map.of("type",
                        "integer", "minimum", 0)))));
        grant(tenant.owner(), "*", create, "allow");

        ToolOutcome outcome = calls().call(new ToolCall(runtimeOf(tenant), null, create,
                json.readTree("{\"age\": -1}"), key()));

        assertThat(outcome).isInstanceOfSatisfying(ToolOutcome.InvalidArguments.class, invalid -> {
            assertThat(invalid.executionId()).isNotNull();
            assertThat(invalid.violations()).extracting(Violation::pointer).containsExactlyInAnyOrder("/name", "/age");
            assertThat(invalid.violations()).allSatisfy(violation -> assertThat(violation.detail()).isNotBlank());
        });
        assertThat(TestUpstream.shared().hits(path)).isZero();
    }

    @Test
    void aCallNoGrantAllowsIsDeniedAndRecorded() {
        TestTenant tenant = newTenant(api, "cd");
        String tool = uniqueTool("ok");
        httpTool(tenant.owner(), tool, "GET", "/ok", Map.of());
        grant(tenant.owner(), "agent:helper", tool, "allow");
        String key = key();

        ToolOutcome outcome = calls().call(new ToolCall(runtimeOf(tenant), "someone-else", tool, null, key));

        assertThat(outcome).isInstanceOfSatisfying(ToolOutcome.Denied.class,
                denied -> assertThat(denied.reason()).isNotBlank());
        assertThat(calls().recorded(new TenantId(tenant.id()), key)).contains(outcome);
    }

    @Test
    void aCallAGrantHoldsForApprovalRunsOnceApprovedButADenyStillWins() {
        TestTenant tenant = newTenant(api, "ca");
        String held = uniqueTool("held");
        String path = "/ok?n=" + UUID.randomUUID();
        httpTool(tenant.owner(), held, "GET", path, Map.of());
        grant(tenant.owner(), "agent:helper", held, "require_approval");
        String forbidden = uniqueTool("forbidden");
        httpTool(tenant.owner(), forbidden, "GET", path, Map.of());
        grant(tenant.owner(), "agent:helper", forbidden, "require_approval");
        grant(tenant.owner(), "*", forbidden, "deny");
        Caller runtime = runtimeOf(tenant);

        ToolOutcome asked = calls().call(new ToolCall(runtime, "helper", held, null, key()));
        ToolOutcome approved = calls().call(new ToolCall(runtime, "helper", held, null, key(), "ada@example.com"));
        ToolOutcome denied = calls().call(new ToolCall(runtime, "helper", forbidden, null, key(), "ada@example.com"));

        assertThat(asked).isInstanceOfSatisfying(ToolOutcome.ApprovalRequired.class,
                approval -> assertThat(approval.reason()).isNotBlank());
        assertThat(approved).isInstanceOfSatisfying(ToolOutcome.Completed.class,
                completed -> assertThat(completed.result().get("path").asString()).isEqualTo("/ok"));
        assertThat(denied).isInstanceOf(ToolOutcome.Denied.class);
        assertThat(TestUpstream.shared().hits(path)).as("only the approved call ran").isEqualTo(1);
    }

    @Test
    void aFailingToolIsAnOutcomeWithWhyAndWhenToRetry() {
        TestTenant tenant = newTenant(api, "cf");
        String failing = uniqueTool("failing");
        httpTool(tenant.owner(), failing, "GET", "/fail", Map.of());
        String limited = uniqueTool("limited");
        httpTool(tenant.owner(), limited, "GET", "/status/429?retryAfter=30&n=" + UUID.randomUUID(), Map.of());
        String slow = uniqueTool("slow");
        httpTool(tenant.owner(), slow, "GET", "/slow", Map.of("timeoutMs", 300));
        String internal = uniqueTool("internal");
        httpTool(tenant.owner(), internal, "GET", "/ok", Map.of("http", Map.of("method", "GET", "url",
                "http://169.254.169.254/latest/meta-data/")));
        grant(tenant.owner(), "*", "*", "allow");
        Caller runtime = runtimeOf(tenant);

        ToolOutcome.Failed failed = failed(calls().call(new ToolCall(runtime, null, failing, null, key())));
        assertThat(failed.executionId()).isNotNull();
        assertThat(failed.reason()).isEqualTo(ToolOutcome.Failed.Reason.FAILED);
        assertThat(failed.error()).contains("500");
        assertThat(failed.retryAfter()).isNull();

        ToolOutcome.Failed rateLimited = failed(calls().call(new ToolCall(runtime, null, limited, null, key())));
        assertThat(rateLimited.reason()).isEqualTo(ToolOutcome.Failed.Reason.FAILED);
        assertThat(rateLimited.retryable()).isTrue();
        assertThat(rateLimited.retryAfter()).isEqualTo(Duration.ofSeconds(30));

        ToolOutcome.Failed timedOut = failed(calls().call(new ToolCall(runtime, null, slow, null, key())));
        assertThat(timedOut.reason()).isEqualTo(ToolOutcome.Failed.Reason.TIMED_OUT);
        assertThat(timedOut.retryable()).isTrue();

        ToolOutcome.Failed refused = failed(calls().call(new ToolCall(runtime, null, internal, null, key())));
        assertThat(refused.reason()).isEqualTo(ToolOutcome.Failed.Reason.REFUSED);
        assertThat(refused.retryable()).isFalse();
    }

    @Test
    void aCallWithAnIdempotencyKeyRunsOnceAndIsFoundByItsKeyInItsTenantOnly() {
        TestTenant tenant = newTenant(api, "ck");
        String tool = uniqueTool("once");
        String path = "/echo?run=" + UUID.randomUUID();
        httpTool(tenant.owner(), tool, "POST", path, Map.of());
        grant(tenant.owner(), "*", "*", "allow");
        String key = "run-1/step-2/call-0 " + UUID.randomUUID() + " &+?#";
        ToolCall call = new ToolCall(runtimeOf(tenant), "helper", tool, Api.JSON.createObjectNode(), key);

        ToolOutcome first = calls().call(call);
        ToolOutcome second = calls().call(call);

        assertThat(first).isInstanceOf(ToolOutcome.Completed.class);
        assertThat(second).isEqualTo(first);
        assertThat(TestUpstream.shared().hits(path)).isEqualTo(1);
        TenantId id = new TenantId(tenant.id());
        assertThat(calls().recorded(id, key)).contains(first);
        assertThat(calls().recorded(id, key + "-other")).isEmpty();
        assertThat(calls().recorded(id, null)).isEmpty();
        assertThat(calls().recorded(new TenantId(newTenant(api, "ck").id()), key)).isEmpty();
    }

    @Test
    void anUnknownToolIsNotFoundRatherThanAnOutcome() {
        TestTenant tenant = newTenant(api, "cu");
        grant(tenant.owner(), "*", "*", "allow");

        assertThatThrownBy(() -> calls().call(new ToolCall(runtimeOf(tenant), null, "no.such_tool", null, key())))
            .isInstanceOfSatisfying(DomainProblem.class,
                    problem -> assertThat(problem.type()).isEqualTo(ProblemType.NOT_FOUND));
    }

    private static ToolOutcome.Failed failed(ToolOutcome outcome) {
        assertThat(outcome).isInstanceOf(ToolOutcome.Failed.class);
        return (ToolOutcome.Failed) outcome;
    }

    private static String key() {
        return "contract/" + UUID.randomUUID();
    }
}
