package io.retinue.agents;

import java.util.List;

import io.retinue.shared.TenantId;

/**
 * Something outside agent management that still needs an agent (running runs, open sessions, …). Modules that hold
 * such things implement it; an agent is deleted only when none reports a dependent. Answers are short human-readable
 * reasons, e.g. {@code "2 runs in progress"}.
 */
public interface AgentDependents {

    List<String> dependentsOf(TenantId tenant, AgentId agent, String slug);
}
