package io.retinue.tools.remote;

import java.time.Duration;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolOutcome;

/**
 * {@link ToolCalls} where the tools module runs in another process: its {@link ToolCallsEndpoint}, with the call's
 * own caller as the token (the only way a caller crosses the wire).
 */
@Component
@ConditionalOnModule(value = "tools", runsHere = false)
public class HttpToolCalls implements ToolCalls {

    /**
     * How long a call is waited for, on top of the module client's own timeout (for deciding, validating and recording
     * it, and the network): the longest a tool may run, its retries included — the tool and so its own timeout are
     * not known here without asking first, and a shorter one ends the call sooner anyway — and the OAuth access token
     * an HTTP tool may fetch before it runs (at most 10 s, see OAuthTokens).
     */
    static final Duration LONGEST_CALL = MAX_TOOL_TIMEOUT.plusSeconds(10);

    private final ModuleClient tools;

    public HttpToolCalls(ModuleClients clients) {
        this.tools = clients.of("tools");
    }

    /**
     * Never retried here, although the call has an idempotency key: the key makes a repeat of a finished call a replay,
     * but a retry after a timeout or a broken connection may reach the tools module while the first attempt still runs
     * there — the key is looked up before a call starts and recorded when it ends, so both would run the tool. The
     * caller decides what a lost answer means; the runtime asks {@link #recorded} when it resumes.
     */
    @Override
    public ToolOutcome call(ToolCall call) {
        return tools.post(call.caller(), uri -> uri.path("/internal/v1/tools/calls").build(),
                ToolCallsEndpoint.CallRequest.of(call), ToolOutcome.class, LONGEST_CALL)
            .orElseThrow(() -> new IllegalStateException("the tools module answered a call of '" + call.tool()
                    + "' without an outcome"));
    }

    @Override
    public Optional<ToolOutcome> recorded(TenantId tenant, String idempotencyKey) {
        if (idempotencyKey == null) {
            return Optional.empty(); // nothing is recorded under no key
        }
        return tools.get(tools.actingFor(tenant), uri -> uri.path("/internal/v1/tools/calls/recorded")
            .queryParam("idempotencyKey", "{key}")
            .build(idempotencyKey), ToolOutcome.class);
    }
}
