/**
 * The agent runtime (the seed's RuntimeManager, SessionStorage and ContextManager): will run published agent
 * versions, obtained as {@link io.retinue.agents.AgentSpec}s through {@link io.retinue.agents.AgentCatalog}, and own
 * sessions and run records in schema {@code runtime}. Built by the runtime issue; nothing lives here yet.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Runtime")
package io.retinue.runtime;
