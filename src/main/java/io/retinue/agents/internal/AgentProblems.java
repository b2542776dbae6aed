package io.retinue.agents.internal;

import org.springframework.http.HttpStatus;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;

/** The problem types of agent management, each a stable URI under {@code …/problems/agents/}. */
public final class AgentProblems {

    public static final ProblemType SLUG_TAKEN = ProblemType.of("agents/slug-taken", HttpStatus.CONFLICT,
            "Slug already in use");
    public static final ProblemType VERSION_IMMUTABLE = ProblemType.of("agents/version-immutable",
            HttpStatus.CONFLICT, "Version is immutable");
    public static final ProblemType DRAFT_EXISTS = ProblemType.of("agents/draft-exists", HttpStatus.CONFLICT,
            "A draft version already exists");
    public static final ProblemType NOT_PUBLISHED = ProblemType.of("agents/version-not-published",
            HttpStatus.CONFLICT, "Version is not published");
    public static final ProblemType ALREADY_LIVE = ProblemType.of("agents/version-already-live",
            HttpStatus.CONFLICT, "Version is already live");
    public static final ProblemType ARCHIVED = ProblemType.of("agents/agent-archived", HttpStatus.CONFLICT,
            "Agent is archived");
    public static final ProblemType CONCURRENT_MODIFICATION = ProblemType.of("agents/concurrent-modification",
            HttpStatus.CONFLICT, "Concurrent modification");
    public static final ProblemType IN_USE = ProblemType.of("agents/agent-in-use", HttpStatus.CONFLICT,
            "Agent in use");
    public static final ProblemType BEING_DELETED = ProblemType.of("agents/agent-being-deleted",
            HttpStatus.CONFLICT, "Agent being deleted");
    public static final ProblemType INVALID_CURSOR = ProblemType.of("agents/invalid-cursor", HttpStatus.BAD_REQUEST,
            "Invalid cursor");

    private AgentProblems() {
    }

    static DomainProblem agentNotFound(String ref) {
        return DomainProblem.notFound("Agent '" + ref + "'");
    }

    static DomainProblem versionNotFound(String ref, int version) {
        return DomainProblem.notFound("Version " + version + " of agent '" + ref + "'");
    }
}
