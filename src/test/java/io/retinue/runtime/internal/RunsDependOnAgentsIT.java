package io.retinue.runtime.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentDependentsContract;

/**
 * The runtime's {@link AgentDependents} in-process; {@code HttpAgentDependentsIT} holds the remote one to the same
 * contract.
 */
class RunsDependOnAgentsIT extends AgentDependentsContract {

    @Autowired
    AgentDependents dependents;

    @Override
    protected AgentDependents dependents() {
        return dependents;
    }
}
