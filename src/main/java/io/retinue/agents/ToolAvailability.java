package io.retinue.agents;

import java.util.List;

import io.retinue.shared.Caller;

/**
 * Which of the tools an agent configuration names a run of the agent would not be offered, and why: the agents module
 * warns with it when a configuration is validated, imported or published (not granted is no error: a grant may come
 * later). The tools module implements it — it depends on this module, not the other way round.
 */
public interface ToolAvailability {

    /** A named tool a run started by the caller would not be offered, and why. */
    record Withheld(String tool, String reason) {
    }

    /**
     * The tools of {@code names} that a run of {@code agent} (slug) started by {@code caller} would not be offered;
     * with no agent, only those that do not exist or are disabled.
     */
    List<Withheld> withheld(Caller caller, String agent, List<String> names);
}
