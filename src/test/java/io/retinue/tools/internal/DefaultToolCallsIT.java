package io.retinue.tools.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolCallsContract;

/** The in-process tool calls ({@link DefaultToolCalls}) held to the contract their HTTP counterpart is held to. */
class DefaultToolCallsIT extends ToolCallsContract {

    @Autowired
    ToolCalls calls;

    @Override
    protected ToolCalls calls() {
        return calls;
    }
}
