package io.retinue.agents.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentId;
import io.retinue.agents.AgentRenamed;
import io.retinue.agents.AgentSpec;
import io.retinue.agents.AgentUnarchived;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent life cycle as the API offers it: create, describe, draft, publish, roll back, archive, delete, query.
 * Each operation loads the agent, lets it decide, stores the result guarded by its revision and publishes the domain
 * events in the same transaction (the event publication registry is the outbox).
 */
@Service
public class Agents {

    /** The outcome of a create: the agent, its first version, and whether an earlier identical create was replayed. */
    public record Created(Agent agent, AgentVersion version, boolean replayed) {
    }

    /** An agent and one of its versions, after a change to the version. */
    public record Versioned(Agent agent, AgentVersion version) {
    }

    private final AgentRepository repository;
    private final IdempotencyKeys idempotencyKeys;
    private final AgentFactory factory;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final AgentDeletions deletions;

    Agents(AgentRepository repository, IdempotencyKeys idempotencyKeys, AgentFactory factory,
            ApplicationEventPublisher events, TransactionTemplate transactions, JsonMapper json, Clock clock,
            AgentDeletions deletions) {
        this.repository = repository;
        this.idempotencyKeys = idempotencyKeys;
        this.factory = factory;
        this.events = events;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.deletions = deletions;
    }

    /**
     * Creates an agent with version 1 as a draft. With an idempotency key, repeating the same request returns the
     * agent the first one created, and reusing the key for a different request is refused.
     */
    public Created create(AgentAccess access, NewAgent command, String idempotencyKey, JsonNode requestBody) {
        access.mayCreate(command.slug());
        TenantId tenant = access.tenant();
        String requestDigest = idempotencyKey == null ? null : ConfigDigest.ofJson(requestBody);
        try {
            return transactions.execute(status -> createOnce(tenant, command, idempotencyKey, requestDigest));
        }
        catch (DuplicateKeyException | DomainProblem conflict) {
            if (conflict instanceof DomainProblem problem && problem.type() != AgentProblems.SLUG_TAKEN) {
                throw problem;
            }
            // A concurrent request with the same key may have committed first: then this one is its replay.
            if (idempotencyKey != null) {
                Created replay = transactions.execute(status -> replay(tenant, idempotencyKey, requestDigest));
                if (replay != null) {
                    return replay;
                }
            }
            throw slugTaken(command.slug());
        }
    }

    private Created createOnce(TenantId tenant, NewAgent command, String idempotencyKey, String requestDigest) {
        if (idempotencyKey != null) {
            Created replay = replay(tenant, idempotencyKey, requestDigest);
            if (replay != null) {
                return replay;
            }
        }
        if (repository.slugTaken(tenant, command.slug())) {
            throw slugTaken(command.slug());
        }
        Instant now = now();
        AgentId id = AgentId.random();
        AgentVersion first = AgentVersion.draft(id, 1, command.config(), command.note(), now);
        Agent agent = Agent.create(id, tenant, command.slug(), command.name(), command.description(), command.labels(),
                first, now);
        repository.insert(agent);
        repository.insertVersion(agent, first);
        if (idempotencyKey != null) {
            idempotencyKeys.remember(tenant, idempotencyKey, requestDigest, id, now);
        }
        return new Created(agent, first, false);
    }

    private Created replay(TenantId tenant, String idempotencyKey, String requestDigest) {
        return idempotencyKeys.find(tenant, idempotencyKey).map(use -> {
            if (!use.requestDigest().equals(requestDigest)) {
                throw new DomainProblem(ProblemType.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + idempotencyKey
                        + "' was already used with a different request; use a new key for a new request");
            }
            Agent agent = repository.find(tenant, use.agentId().toString())
                .orElseThrow(() -> AgentProblems.agentNotFound(use.agentId().toString()));
            AgentVersion first = repository.findVersion(agent, 1).orElseThrow();
            return new Created(agent, first, true);
        }).orElse(null);
    }

    @Transactional(readOnly = true)
    public Agent get(AgentAccess access, String ref) {
        return load(access, ref);
    }

    @Transactional
    public Agent describe(AgentAccess access, String ref, AgentChanges changes, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        Instant now = now();
        Agent next = agent.describe(changes.name(), changes.description(), changes.labels(), now);
        repository.update(agent, next, ifMatch != null);
        if (!next.name().equals(agent.name())) {
            events.publishEvent(new AgentRenamed(next.id(), next.tenant(), next.slug(), next.name(), now));
        }
        return next;
    }

    @Transactional
    public Versioned newVersion(AgentAccess access, String ref, AgentConfig config, String note, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        Instant now = now();
        AgentVersion draft = AgentVersion.draft(agent.id(), agent.nextDraftNumber(), config, note, now);
        Agent next = agent.withDraft(draft, now);
        repository.update(agent, next, ifMatch != null);
        repository.insertVersion(next, draft);
        return new Versioned(next, draft);
    }

    @Transactional
    public Versioned reviseDraft(AgentAccess access, String ref, int number, AgentConfig config, String note,
            Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        AgentVersion revised = version(agent, ref, number).revise(config, note);
        Agent next = agent.reviseDraft(revised, now());
        repository.update(agent, next, ifMatch != null);
        repository.updateDraft(next, revised);
        return new Versioned(next, revised);
    }

    @Transactional
    public Versioned publish(AgentAccess access, String ref, int number, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        Instant now = now();
        AgentVersion published = version(agent, ref, number).publish(now);
        Agent next = agent.publish(published, now);
        repository.update(agent, next, ifMatch != null);
        repository.updateDraft(next, published);
        events.publishEvent(new AgentVersionPublished(next.id(), next.tenant(), next.slug(), number,
                agent.liveVersion(), false, published.digest(), now));
        return new Versioned(next, published);
    }

    @Transactional
    public Versioned rollback(AgentAccess access, String ref, int number, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        Instant now = now();
        AgentVersion target = version(agent, ref, number);
        Agent next = agent.rollbackTo(target, now);
        repository.update(agent, next, ifMatch != null);
        events.publishEvent(new AgentVersionPublished(next.id(), next.tenant(), next.slug(), number,
                agent.liveVersion(), true, target.digest(), now));
        return new Versioned(next, target);
    }

    @Transactional
    public Agent archive(AgentAccess access, String ref, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        if (agent.isArchived()) {
            return agent;
        }
        Instant now = now();
        Agent next = agent.archive(now);
        repository.update(agent, next, ifMatch != null);
        events.publishEvent(new AgentArchived(next.id(), next.tenant(), next.slug(), now));
        return next;
    }

    @Transactional
    public Agent unarchive(AgentAccess access, String ref, Long ifMatch) {
        Agent agent = loadForWrite(access, ref, ifMatch);
        if (!agent.isArchived()) {
            return agent;
        }
        Instant now = now();
        Agent next = agent.unarchive(now);
        repository.update(agent, next, ifMatch != null);
        events.publishEvent(new AgentUnarchived(next.id(), next.tenant(), next.slug(), now));
        return next;
    }

    /**
     * Deletes an agent and its versions, unless another module still depends on it (409, listing why): a saga
     * ({@link AgentDeletions}); repeating the DELETE of an agent being deleted finishes its deletion.
     */
    public void delete(AgentAccess access, String ref, Long ifMatch) {
        Agent agent = load(access, ref);
        agent.checkPrecondition(ifMatch);
        deletions.delete(agent, ifMatch != null);
    }

    @Transactional(readOnly = true)
    public Versioned version(AgentAccess access, String ref, int number) {
        Agent agent = load(access, ref);
        return new Versioned(agent, version(agent, ref, number));
    }

    /** A page of an agent's versions, newest first, with the agent they belong to. */
    public record VersionPage(Agent agent, Page<AgentVersion> versions) {
    }

    /** A page of versions, newest first; the cursor is the number to continue below. */
    @Transactional(readOnly = true)
    public VersionPage versions(AgentAccess access, String ref, Integer before, int limit) {
        if (limit < 1 || limit > AgentSearch.MAX_LIMIT) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and " + AgentSearch.MAX_LIMIT);
        }
        Agent agent = load(access, ref);
        List<AgentVersion> versions = repository.versions(agent, before, limit + 1);
        boolean more = versions.size() > limit;
        List<AgentVersion> page = more ? versions.subList(0, limit) : versions;
        return new VersionPage(agent, new Page<>(page, more ? String.valueOf(page.getLast().number()) : null));
    }

    @Transactional(readOnly = true)
    public List<ConfigDiff.Change> diff(AgentAccess access, String ref, int from, int to) {
        Agent agent = load(access, ref);
        JsonNode older = json.valueToTree(version(agent, ref, from).config());
        JsonNode newer = json.valueToTree(version(agent, ref, to).config());
        return ConfigDiff.between(older, newer);
    }

    @Transactional(readOnly = true)
    public Page<Agent> search(AgentSearch search) {
        AgentRepository.Page page = repository.query(search);
        String next = page.hasMore() ? search.cursorAfter(page.agents().getLast()) : null;
        return new Page<>(page.agents(), next);
    }

    /** The runnable spec of a published version, the live one when {@code number} is null. */
    @Transactional(readOnly = true)
    public AgentSpec spec(AgentAccess access, String ref, Integer number) {
        Agent agent = load(access, ref);
        if (number == null && agent.liveVersion() == null) {
            throw new DomainProblem(AgentProblems.NOT_PUBLISHED,
                    "Agent '" + agent.slug() + "' has no live version yet; publish one first");
        }
        int wanted = number == null ? agent.liveVersion() : number;
        return factory.spec(agent, version(agent, ref, wanted));
    }

    /** The agent, if it exists in the caller's tenant and the caller may touch it; otherwise 404, never 403. */
    Agent load(AgentAccess access, String ref) {
        return repository.find(access.tenant(), ref)
            .filter(access::admits)
            .orElseThrow(() -> AgentProblems.agentNotFound(ref));
    }

    private Agent loadForWrite(AgentAccess access, String ref, Long ifMatch) {
        Agent agent = load(access, ref);
        agent.checkPrecondition(ifMatch);
        agent.ensureNotDeleting();
        return agent;
    }

    private AgentVersion version(Agent agent, String ref, int number) {
        return repository.findVersion(agent, number).orElseThrow(() -> AgentProblems.versionNotFound(ref, number));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static DomainProblem slugTaken(String slug) {
        return new DomainProblem(AgentProblems.SLUG_TAKEN, "An agent with slug '" + slug + "' already exists",
                List.of(new io.retinue.shared.Violation("/slug", "is already in use")), java.util.Map.of());
    }
}
