package io.retinue.agents.internal;

import java.time.Instant;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentId;
import io.retinue.shared.DomainProblem;

/**
 * One numbered version of an agent's configuration. A draft may be revised; once published it is frozen, which is
 * what lets runs, rollbacks and audits rely on a version number meaning one configuration forever.
 */
public record AgentVersion(AgentId agentId, int number, VersionStatus status, AgentConfig config, String digest,
        String note, Instant createdAt, Instant publishedAt) {

    static AgentVersion draft(AgentId agentId, int number, AgentConfig config, String note, Instant now) {
        return new AgentVersion(agentId, number, VersionStatus.DRAFT, config, ConfigDigest.of(config), note, now, null);
    }

    public boolean isPublished() {
        return status == VersionStatus.PUBLISHED;
    }

    AgentVersion revise(AgentConfig newConfig, String newNote) {
        if (isPublished()) {
            throw new DomainProblem(AgentProblems.VERSION_IMMUTABLE, "Version " + number
                    + " is published and can no longer change; create a new version instead");
        }
        return new AgentVersion(agentId, number, status, newConfig, ConfigDigest.of(newConfig), newNote, createdAt,
                null);
    }

    AgentVersion publish(Instant now) {
        if (isPublished()) {
            throw new DomainProblem(AgentProblems.VERSION_IMMUTABLE,
                    "Version " + number + " is already published; use rollback to make it live again");
        }
        return new AgentVersion(agentId, number, VersionStatus.PUBLISHED, config, digest, note, createdAt, now);
    }
}
