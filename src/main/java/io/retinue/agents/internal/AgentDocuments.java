package io.retinue.agents.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentId;
import io.retinue.agents.AgentRenamed;
import io.retinue.agents.AgentUnarchived;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;

/**
 * Agents as code. Export writes an agent (all versions or only the live one) as an {@link AgentDocument}. Import
 * makes the installation match a document and is idempotent: versions are recognised by the digest of their
 * configuration, so importing the same document again changes nothing, and published history is never rewritten —
 * new configurations are appended as new versions.
 */
@Service
public class AgentDocuments {

    /** What an import did. */
    public record Imported(Agent agent, boolean created, boolean changed, List<Integer> addedVersions) {
    }

    private final AgentRepository repository;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    AgentDocuments(AgentRepository repository, ApplicationEventPublisher events, Clock clock) {
        this.repository = repository;
        this.events = events;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    public AgentDocument export(AgentAccess access, String ref, boolean liveOnly) {
        Agent agent = repository.find(access.tenant(), ref)
            .filter(access::admits)
            .orElseThrow(() -> AgentProblems.agentNotFound(ref));
        List<AgentVersion> versions = repository.allVersions(agent);
        if (liveOnly) {
            if (agent.liveVersion() == null) {
                throw new DomainProblem(AgentProblems.NOT_PUBLISHED,
                        "Agent '" + agent.slug() + "' has no live version to export");
            }
            versions = versions.stream().filter(version -> version.number() == agent.liveVersion()).toList();
        }
        return new AgentDocument(AgentDocument.API_VERSION, AgentDocument.KIND,
                new AgentDocument.Metadata(agent.slug(), agent.name(), agent.description(), agent.labels(),
                        agent.status().wire()),
                agent.liveVersion(),
                versions.stream()
                    .map(version -> new AgentDocument.Version(version.number(), version.status().wire(),
                            version.note(), version.config()))
                    .toList());
    }

    @Transactional
    public Imported importDocument(AgentAccess access, AgentDocument document) {
        checkConsistency(document);
        access.mayCreate(document.metadata().slug());
        TenantId tenant = access.tenant();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<AgentDocument.Version> incoming = document.versions()
            .stream()
            .sorted(Comparator.comparingInt(AgentDocument.Version::version))
            .toList();
        AgentDocument.Metadata meta = document.metadata();
        Agent agent = repository.find(tenant, meta.slug()).orElse(null);
        boolean created = agent == null;
        boolean changed = created;
        List<Integer> added = new ArrayList<>();
        Map<String, AgentVersion> byDigest = new HashMap<>();
        Map<Integer, AgentVersion> byDocumentNumber = new HashMap<>();

        List<AgentDocument.Version> remaining = incoming;
        if (created) {
            AgentDocument.Version first = incoming.getFirst();
            AgentId id = AgentId.random();
            AgentVersion v1 = AgentVersion.draft(id, 1, first.config(), first.note(), now);
            if (first.isPublished()) {
                v1 = v1.publish(now);
            }
            agent = Agent.create(id, tenant, meta.slug(), meta.name(), meta.description(), meta.labels(), v1, now);
            repository.insert(agent);
            repository.insertVersion(agent, v1);
            byDigest.put(v1.digest(), v1);
            byDocumentNumber.put(first.version(), v1);
            added.add(1);
            remaining = incoming.subList(1, incoming.size());
        }
        else {
            agent.ensureNotDeleting();
            repository.allVersions(agent).forEach(version -> byDigest.putIfAbsent(version.digest(), version));
            boolean described = !agent.name().equals(meta.name()) || !agent.description().equals(meta.description())
                    || !agent.labels().equals(meta.labels());
            if (described) {
                String formerName = agent.name();
                agent = store(agent, agent.describe(meta.name(), meta.description(), meta.labels(), now));
                if (!agent.name().equals(formerName)) {
                    events.publishEvent(new AgentRenamed(agent.id(), tenant, agent.slug(), agent.name(), now));
                }
                changed = true;
            }
            if (agent.isArchived() && "active".equals(meta.status())) {
                agent = store(agent, agent.unarchive(now));
                events.publishEvent(new AgentUnarchived(agent.id(), tenant, agent.slug(), now));
                changed = true;
            }
        }

        for (AgentDocument.Version version : remaining) {
            AgentVersion known = byDigest.get(ConfigDigest.of(version.config()));
            if (known != null) {
                byDocumentNumber.put(version.version(), known);
                continue;
            }
            AgentVersion stored;
            if (version.isPublished()) {
                agent.ensureActive();
                stored = AgentVersion.draft(agent.id(), agent.latestVersion() + 1, version.config(), version.note(), now)
                    .publish(now);
                agent = store(agent, agent.withPublishedVersion(stored, now));
                repository.insertVersion(agent, stored);
            }
            else if (agent.draftVersion() != null) {
                stored = repository.findVersion(agent, agent.draftVersion())
                    .orElseThrow()
                    .revise(version.config(), version.note());
                agent = store(agent, agent.reviseDraft(stored, now));
                repository.updateDraft(agent, stored);
            }
            else {
                stored = AgentVersion.draft(agent.id(), agent.nextDraftNumber(), version.config(), version.note(), now);
                agent = store(agent, agent.withDraft(stored, now));
                repository.insertVersion(agent, stored);
            }
            byDigest.put(stored.digest(), stored);
            byDocumentNumber.put(version.version(), stored);
            added.add(stored.number());
            changed = true;
        }

        if (document.liveVersion() != null) {
            AgentVersion target = byDocumentNumber.get(document.liveVersion());
            Integer previous = agent.liveVersion();
            if (!target.isPublished()) {
                AgentVersion published = target.publish(now);
                agent = store(agent, agent.publish(published, now));
                repository.updateDraft(agent, published);
                events.publishEvent(new AgentVersionPublished(agent.id(), tenant, agent.slug(), published.number(),
                        previous, false, published.digest(), now));
                changed = true;
            }
            else if (previous == null || previous != target.number()) {
                agent = store(agent, agent.rollbackTo(target, now));
                events.publishEvent(new AgentVersionPublished(agent.id(), tenant, agent.slug(), target.number(),
                        previous, previous != null && previous > target.number(), target.digest(), now));
                changed = true;
            }
        }
        if (!agent.isArchived() && "archived".equals(meta.status())) {
            agent = store(agent, agent.archive(now));
            events.publishEvent(new AgentArchived(agent.id(), tenant, agent.slug(), now));
            changed = true;
        }
        return new Imported(agent, created, changed, added);
    }

    private Agent store(Agent current, Agent next) {
        repository.update(current, next, false);
        return next;
    }

    /** Rules a schema cannot state: distinct version numbers, one draft at most, a live version that exists. */
    private static void checkConsistency(AgentDocument document) {
        List<Violation> violations = new ArrayList<>();
        Set<Integer> numbers = new HashSet<>();
        int drafts = 0;
        for (int i = 0; i < document.versions().size(); i++) {
            AgentDocument.Version version = document.versions().get(i);
            if (!numbers.add(version.version())) {
                violations.add(new Violation("/versions/" + i + "/version",
                        "version " + version.version() + " appears more than once"));
            }
            if (!version.isPublished() && ++drafts > 1) {
                violations.add(new Violation("/versions/" + i + "/status", "a document may hold one draft at most"));
            }
        }
        if (document.liveVersion() != null && !numbers.contains(document.liveVersion())) {
            violations.add(new Violation("/liveVersion",
                    "version " + document.liveVersion() + " is not among the document's versions"));
        }
        if (!violations.isEmpty()) {
            throw DomainProblem.invalid(violations);
        }
    }
}
