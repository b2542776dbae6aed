package io.retinue.agents.internal;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import io.retinue.agents.AgentId;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;

/**
 * An agent: identity, descriptive metadata, status and the pointers into its versions (the live one, the latest one
 * and the open draft, if any). Every change yields the next {@code revision}, which is the agent's ETag; the agent
 * decides which transitions are allowed.
 */
public record Agent(AgentId id, TenantId tenant, String slug, String name, String description,
        Map<String, String> labels, AgentStatus status, Integer liveVersion, int latestVersion, Integer draftVersion,
        String modelProvider, String modelName, long revision, Instant createdAt, Instant updatedAt) {

    public Agent {
        labels = Map.copyOf(new TreeMap<>(labels));
        description = description == null ? "" : description;
    }

    /** A new agent whose first version is usually a draft (an import may bring it already published, not live). */
    static Agent create(AgentId id, TenantId tenant, String slug, String name, String description,
            Map<String, String> labels, AgentVersion first, Instant now) {
        Integer draft = first.isPublished() ? null : first.number();
        return new Agent(id, tenant, slug, name, description, labels, AgentStatus.ACTIVE, null, first.number(), draft,
                first.config().model().provider(), first.config().model().name(), 1, now, now);
    }

    public String etag() {
        return "\"" + revision + "\"";
    }

    public boolean isArchived() {
        return status == AgentStatus.ARCHIVED;
    }

    public boolean isDeleting() {
        return status == AgentStatus.DELETING;
    }

    /** Refuses a write made against an older revision than the current one (If-Match). */
    void checkPrecondition(Long expectedRevision) {
        if (expectedRevision != null && expectedRevision != revision) {
            throw new DomainProblem(ProblemType.PRECONDITION_FAILED, "The agent has changed since revision "
                    + expectedRevision + "; its current ETag is " + etag());
        }
    }

    Agent describe(String newName, String newDescription, Map<String, String> newLabels, Instant now) {
        return next(slug, newName == null ? name : newName, newDescription == null ? description : newDescription,
                newLabels == null ? labels : newLabels, status, liveVersion, latestVersion, draftVersion, modelProvider,
                modelName, now);
    }

    /** Opens a new draft version after the latest one. Only one draft at a time, and none on an archived agent. */
    int nextDraftNumber() {
        ensureActive();
        if (draftVersion != null) {
            throw new DomainProblem(AgentProblems.DRAFT_EXISTS, "Version " + draftVersion
                    + " is still a draft; update it with PUT …/versions/" + draftVersion + " or publish it first");
        }
        return latestVersion + 1;
    }

    Agent withDraft(AgentVersion draft, Instant now) {
        return withVersion(draft, draft.number(), now);
    }

    /** Adds a version that arrives already published (import), leaving the live version where it is. */
    Agent withPublishedVersion(AgentVersion version, Instant now) {
        return next(slug, name, description, labels, status, liveVersion, Math.max(latestVersion, version.number()),
                draftVersion, effectiveProvider(version, liveVersion), effectiveModel(version, liveVersion), now);
    }

    Agent reviseDraft(AgentVersion revised, Instant now) {
        ensureActive();
        return withVersion(revised, draftVersion, now);
    }

    Agent publish(AgentVersion published, Instant now) {
        ensureActive();
        Integer openDraft = draftVersion != null && draftVersion == published.number() ? null : draftVersion;
        return next(slug, name, description, labels, status, published.number(), latestVersion, openDraft,
                published.config().model().provider(), published.config().model().name(), now);
    }

    Agent rollbackTo(AgentVersion target, Instant now) {
        ensureActive();
        if (!target.isPublished()) {
            throw new DomainProblem(AgentProblems.NOT_PUBLISHED,
                    "Version " + target.number() + " was never published; publish it instead of rolling back to it");
        }
        if (liveVersion != null && liveVersion == target.number()) {
            throw new DomainProblem(AgentProblems.ALREADY_LIVE, "Version " + target.number() + " is already live");
        }
        return next(slug, name, description, labels, status, target.number(), latestVersion, draftVersion,
                target.config().model().provider(), target.config().model().name(), now);
    }

    Agent archive(Instant now) {
        return next(slug, name, description, labels, AgentStatus.ARCHIVED, liveVersion, latestVersion, draftVersion,
                modelProvider, modelName, now);
    }

    Agent unarchive(Instant now) {
        return next(slug, name, description, labels, AgentStatus.ACTIVE, liveVersion, latestVersion, draftVersion,
                modelProvider, modelName, now);
    }

    /** Withdrawn while its deletion asks the modules that might still need it: nothing starts from it meanwhile. */
    Agent withdrawForDeletion(Instant now) {
        ensureNotDeleting();
        return next(slug, name, description, labels, AgentStatus.DELETING, liveVersion, latestVersion, draftVersion,
                modelProvider, modelName, now);
    }

    /** Refuses every change while the agent's deletion is under way. */
    void ensureNotDeleting() {
        if (isDeleting()) {
            throw new DomainProblem(AgentProblems.BEING_DELETED, "Agent '" + slug + "' is being deleted; repeat the "
                    + "DELETE to finish it, or wait until a deletion that cannot finish has put the agent back");
        }
    }

    void ensureActive() {
        ensureNotDeleting();
        if (isArchived()) {
            throw new DomainProblem(AgentProblems.ARCHIVED,
                    "Agent '" + slug + "' is archived; unarchive it before changing its versions");
        }
    }

    private Agent withVersion(AgentVersion version, int draft, Instant now) {
        return next(slug, name, description, labels, status, liveVersion, Math.max(latestVersion, version.number()),
                draft, effectiveProvider(version, liveVersion), effectiveModel(version, liveVersion), now);
    }

    /** The model shown (and filtered on) is the live version's; an agent never published shows its newest draft. */
    private String effectiveProvider(AgentVersion changed, Integer live) {
        return live == null ? changed.config().model().provider() : modelProvider;
    }

    private String effectiveModel(AgentVersion changed, Integer live) {
        return live == null ? changed.config().model().name() : modelName;
    }

    private Agent next(String newSlug, String newName, String newDescription, Map<String, String> newLabels,
            AgentStatus newStatus, Integer newLive, int newLatest, Integer newDraft, String provider, String model,
            Instant now) {
        return new Agent(id, tenant, newSlug, newName, newDescription, newLabels, newStatus, newLive, newLatest,
                newDraft, provider, model, revision + 1, createdAt, now);
    }
}
