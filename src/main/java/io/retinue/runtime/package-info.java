/**
 * The agent runtime (the seed's RuntimeManager, SessionStorage and ContextManager). Runs published agent versions,
 * obtained as {@link io.retinue.agents.AgentSpec}s through {@link io.retinue.agents.AgentCatalog}: builds the prompt,
 * calls the model (Spring AI {@code ChatModel}), runs the tools it asks for through
 * {@link io.retinue.tools.ToolCalls}, and records every run and step in schema {@code runtime}. First slice: synchronous
 * runs with the built-in demo provider; other providers, streaming, async runs, sessions and context management follow.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Runtime")
package io.retinue.runtime;
