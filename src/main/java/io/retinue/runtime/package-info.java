/**
 * The agent runtime (the seed's RuntimeManager, SessionStorage and ContextManager). Runs published agent versions,
 * obtained as {@link io.retinue.agents.AgentSpec}s through {@link io.retinue.agents.AgentCatalog}: builds the prompt,
 * calls the model (Spring AI {@code ChatModel}, always streamed), runs the tools it asks for through
 * {@link io.retinue.tools.ToolCalls}, and records every run, step and event in schema {@code runtime} — runs waited
 * for, in the background or streamed as server-sent events, sessions, structured output, and runs that wait for a
 * person's decision on a tool call and go on from their checkpoint.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Runtime")
package io.retinue.runtime;
