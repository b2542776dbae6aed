/**
 * Agent management (the seed's AgentFactory, ConfigValidator and AgentRepository). Owns agents, their immutable
 * numbered configuration versions, labels and idempotency keys in schema {@code agents}. Other modules read
 * published agents through {@link io.retinue.agents.AgentCatalog} as {@link io.retinue.agents.AgentSpec}s and react
 * to {@link io.retinue.agents.AgentVersionPublished}, {@link io.retinue.agents.AgentArchived},
 * {@link io.retinue.agents.AgentUnarchived}, {@link io.retinue.agents.AgentRenamed} and
 * {@link io.retinue.agents.AgentDeleted}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Agents")
package io.retinue.agents;
