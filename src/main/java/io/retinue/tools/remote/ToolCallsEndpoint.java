package io.retinue.tools.remote;

import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Violation;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolOutcome;
import tools.jackson.databind.JsonNode;

/**
 * {@link ToolCalls} for other Retinue processes. A call is made as the token's caller: the body says what to call,
 * never on whose behalf, so no process can run a tool as another tenant or principal than the one it holds a token
 * for. An outcome is answered as {@link ToolOutcome}'s wire form; a call that has no outcome (an unknown or disabled
 * tool) is the same problem the in-process API throws.
 */
@RestController
@RequestMapping(path = "/internal/v1/tools/calls", produces = "application/json")
@ConditionalOnModule("tools")
class ToolCallsEndpoint {

    /** A {@link ToolCall} without its caller; a missing {@code arguments} stays missing (not a JSON null). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CallRequest(String agent, String tool, JsonNode arguments, String idempotencyKey, String approvedBy) {

        static CallRequest of(ToolCall call) {
            return new CallRequest(call.agent(), call.tool(), call.arguments(), call.idempotencyKey(),
                    call.approvedBy());
        }

        ToolCall by(Caller caller) {
            if (tool == null || tool.isBlank()) {
                throw DomainProblem.invalid(List.of(new Violation("/tool", "names the tool to call")));
            }
            return new ToolCall(caller, agent, tool, arguments, idempotencyKey, approvedBy);
        }
    }

    private final ToolCalls calls;

    ToolCallsEndpoint(ToolCalls calls) {
        this.calls = calls;
    }

    @PostMapping(consumes = "application/json")
    ToolOutcome call(@AuthenticationPrincipal Caller caller, @RequestBody CallRequest request) {
        return calls.call(request.by(caller));
    }

    /** What became of the token's tenant's call with this key; 204 when none was recorded. */
    @GetMapping("/recorded")
    ResponseEntity<ToolOutcome> recorded(@AuthenticationPrincipal Caller caller,
            @RequestParam String idempotencyKey) {
        return calls.recorded(caller.tenant(), idempotencyKey)
            .map(ResponseEntity::ok)
            .orElseGet(() -> ResponseEntity.noContent().build());
    }
}
