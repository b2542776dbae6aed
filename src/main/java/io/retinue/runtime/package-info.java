/**
 * The agent runtime (the seed's RuntimeManager, SessionStorage and ContextManager). Runs published agent versions,
 * obtained as {@link io.retinue.agents.AgentSpec}s through {@link io.retinue.agents.AgentCatalog}: fits the
 * conversation into the agent's context budget, calls the model (Spring AI {@code ChatModel} of the installation's or
 * the tenant's own provider connection, always streamed), runs the tools it asks for through
 * {@link io.retinue.tools.ToolCalls}, and records every run, step and event in schema {@code runtime} — runs waited
 * for, in the background or streamed as server-sent events, sessions with their summaries, structured output, and
 * runs that wait for a person's decision on a tool call and go on from their checkpoint. Implements
 * {@link io.retinue.agents.AgentDependents} and {@link io.retinue.agents.TenantProviders} for the agents module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Runtime")
package io.retinue.runtime;
