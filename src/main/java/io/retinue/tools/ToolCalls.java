package io.retinue.tools;

/** Runs tools, permission-checked, validated, guarded and recorded. */
public interface ToolCalls {

    ToolOutcome call(ToolCall call);
}
