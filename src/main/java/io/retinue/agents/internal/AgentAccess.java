package io.retinue.agents.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpStatus;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;

/**
 * Which agents a caller may touch: those of its tenant, narrowed to the listed ids or slugs when its API key is
 * restricted to some agents. Agents outside answer 404 like agents that do not exist.
 */
public record AgentAccess(TenantId tenant, Set<String> agents) {

    static final ProblemType OUTSIDE_RESTRICTION = ProblemType.of("agents/outside-key-restriction",
            HttpStatus.FORBIDDEN, "Outside the key's agents");

    public AgentAccess {
        agents = Set.copyOf(agents);
    }

    public static AgentAccess of(Caller caller) {
        return new AgentAccess(caller.tenant(), caller.agents());
    }

    public boolean isRestricted() {
        return !agents.isEmpty();
    }

    boolean admits(Agent agent) {
        return !isRestricted() || agents.contains(agent.id().toString()) || agents.contains(agent.slug());
    }

    /** A restricted caller may only create (or import) the agents it is restricted to, by slug. */
    void mayCreate(String slug) {
        if (isRestricted() && !agents.contains(slug)) {
            throw new DomainProblem(OUTSIDE_RESTRICTION, "This key may only create the agents it is restricted to",
                    List.of(new Violation("/slug", "is not among the key's agents")), Map.of());
        }
    }
}
