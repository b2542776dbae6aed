package io.retinue.tools.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.ToolAvailability;
import io.retinue.agents.ToolAvailabilityContract;

/**
 * The tools module's {@link ToolAvailability} in-process; {@code HttpToolAvailabilityIT} holds the remote one to the
 * same contract.
 */
class AgentToolAvailabilityIT extends ToolAvailabilityContract {

    @Autowired
    ToolAvailability availability;

    @Override
    protected ToolAvailability availability() {
        return availability;
    }
}
