package io.retinue.runtime.remote;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentDependentsContract;
import io.retinue.testing.Loopback;

/**
 * The runtime's {@link AgentDependents} as a process without the runtime module sees it:
 * {@link HttpAgentDependents} calling this platform's internal endpoint over HTTP, held to the same contract as the
 * in-process one.
 */
class HttpAgentDependentsIT extends AgentDependentsContract {

    @Autowired
    ApplicationContext platform;

    private AgentDependents dependents;

    @BeforeEach
    void overHttp() {
        dependents = new HttpAgentDependents(Loopback.clients(platform, port, "runtime"));
    }

    @Override
    protected AgentDependents dependents() {
        return dependents;
    }
}
