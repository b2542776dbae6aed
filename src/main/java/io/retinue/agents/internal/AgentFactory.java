package io.retinue.agents.internal;

import org.springframework.stereotype.Component;

import io.retinue.agents.AgentSpec;

/** The seed's AgentFactory: turns a published version into the immutable spec the runtime runs. */
@Component
public class AgentFactory {

    public AgentSpec spec(Agent agent, AgentVersion version) {
        if (!version.isPublished()) {
            throw new io.retinue.shared.DomainProblem(AgentProblems.NOT_PUBLISHED,
                    "Version " + version.number() + " is a draft; only published versions can run");
        }
        boolean live = agent.liveVersion() != null && agent.liveVersion() == version.number();
        return new AgentSpec(agent.id(), agent.tenant(), agent.slug(), agent.name(), version.number(), live,
                version.config(), version.digest(), version.publishedAt());
    }
}
