package io.retinue.runtime.internal.cache;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.ToolAvailability;
import io.retinue.agents.ToolAvailabilityContract;

/** Tool availability as the runtime reads it, through its cache, held to the same contract as the owner's. */
class CachedToolAvailabilityIT extends ToolAvailabilityContract {

    @Autowired
    @Cached
    ToolAvailability availability;

    @Override
    protected ToolAvailability availability() {
        return availability;
    }
}
