package io.retinue.tools.remote;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.agents.ToolAvailability;
import io.retinue.agents.ToolAvailabilityContract;
import io.retinue.testing.Loopback;

/**
 * The tools module's {@link ToolAvailability} as a process without the tools module sees it:
 * {@link HttpToolAvailability} calling this platform's internal endpoint over HTTP, held to the same contract as the
 * in-process one.
 */
class HttpToolAvailabilityIT extends ToolAvailabilityContract {

    @Autowired
    ApplicationContext platform;

    private ToolAvailability availability;

    @BeforeEach
    void overHttp() {
        availability = new HttpToolAvailability(Loopback.clients(platform, port, "tools"));
    }

    @Override
    protected ToolAvailability availability() {
        return availability;
    }
}
