package io.retinue.agents.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentRestored;
import io.retinue.agents.AgentWithdrawn;
import io.retinue.shared.DomainProblem;

/**
 * Deleting an agent is a saga across the modules that may hold something depending on it (the runtime's runs,
 * sessions and schedules; once split, in another service): the agent is first withdrawn — status {@code deleting}:
 * nothing new starts from its live version, no change is accepted — then every {@link AgentDependents} is asked, then
 * the agent is deleted and {@link AgentDeleted} published. When a dependent answers that something still needs the
 * agent, or cannot be asked, the withdrawal is compensated: the agent is put back exactly as it was. A deletion
 * interrupted between its steps (its process stopped) is finished by repeating the DELETE, or put back by
 * {@link #putBackStalled()} once it has been under way longer than any step can take.
 */
@Service
class AgentDeletions {

    private static final Logger log = LoggerFactory.getLogger(AgentDeletions.class);

    private final AgentRepository repository;
    private final List<AgentDependents> dependents;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Duration stalledAfter;

    AgentDeletions(AgentRepository repository, List<AgentDependents> dependents, ApplicationEventPublisher events,
            TransactionTemplate transactions, Clock clock,
            @Value("${retinue.agents.deletion.stalled-after:2m}") Duration stalledAfter) {
        this.repository = repository;
        this.dependents = List.copyOf(dependents);
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
        this.stalledAfter = stalledAfter;
    }

    /** Deletes {@code agent} (read by the caller, its precondition checked), unless something still depends on it. */
    void delete(Agent agent, boolean preconditionGiven) {
        Withdrawn withdrawn = transactions.execute(status -> withdraw(agent, preconditionGiven));
        List<String> reasons;
        try {
            reasons = dependents.stream()
                .flatMap(dependent -> dependent.dependentsOf(agent.tenant(), agent.id(), agent.slug()).stream())
                .toList();
        }
        catch (RuntimeException unanswered) {
            putBack(withdrawn);
            throw unanswered;
        }
        if (!reasons.isEmpty()) {
            putBack(withdrawn);
            throw new DomainProblem(AgentProblems.IN_USE, "Agent '" + agent.slug() + "' is still in use: "
                    + String.join("; ", reasons), List.of(), Map.of("dependents", reasons));
        }
        transactions.executeWithoutResult(status -> {
            if (repository.deleteWithdrawn(withdrawn.agent())) {
                events.publishEvent(new AgentDeleted(agent.id(), agent.tenant(), agent.slug(), now()));
            }
            else if (repository.find(agent.tenant(), agent.id().value().toString()).isPresent()) {
                throw new DomainProblem(AgentProblems.CONCURRENT_MODIFICATION, "The deletion of agent '"
                        + agent.slug() + "' took too long and was undone; delete it again");
            }
            // else a repeated DELETE finished it meanwhile
        });
    }

    /** The withdrawn agent and what it was; a deletion found under way (repeated DELETE) is resumed as it is. */
    private record Withdrawn(Agent agent, AgentDeletion deletion) {
    }

    private Withdrawn withdraw(Agent agent, boolean preconditionGiven) {
        if (agent.isDeleting()) {
            return repository.findDeletion(agent.id())
                .map(deletion -> new Withdrawn(agent, deletion))
                .orElseThrow(() -> new DomainProblem(AgentProblems.CONCURRENT_MODIFICATION,
                        "Agent '" + agent.slug() + "' has just been put back; read it again and retry"));
        }
        Instant now = now();
        Agent next = agent.withdrawForDeletion(now);
        repository.update(agent, next, preconditionGiven);
        AgentDeletion deletion = AgentDeletion.of(agent, now);
        repository.insertDeletion(deletion);
        events.publishEvent(new AgentWithdrawn(agent.id(), agent.tenant(), agent.slug(), now));
        return new Withdrawn(next, deletion);
    }

    /** The compensation: the agent as it was before the withdrawal, if it is still withdrawn. */
    private void putBack(Withdrawn withdrawn) {
        transactions.executeWithoutResult(status -> putBack(withdrawn.agent(), withdrawn.deletion()));
    }

    private void putBack(Agent withdrawn, AgentDeletion deletion) {
        repository.update(withdrawn, deletion.restore(withdrawn), false);
        repository.removeDeletion(deletion);
        events.publishEvent(new AgentRestored(withdrawn.id(), withdrawn.tenant(), withdrawn.slug(), now()));
    }

    /**
     * Puts back the agents whose deletion stopped half-way (its process was stopped between the steps): a deletion
     * under way longer than {@code retinue.agents.deletion.stalled-after} is not coming back.
     */
    @Scheduled(fixedDelayString = "${retinue.agents.deletion.check-interval:1m}", initialDelayString = "30s")
    void putBackStalled() {
        for (AgentDeletion deletion : repository.deletionsStartedBefore(now().minus(stalledAfter), 100)) {
            try {
                Boolean putBack = transactions.execute(status -> repository
                    .find(deletion.tenant(), deletion.agent().value().toString())
                    .filter(Agent::isDeleting)
                    .map(withdrawn -> {
                        putBack(withdrawn, deletion);
                        return true;
                    })
                    .orElse(false));
                if (Boolean.TRUE.equals(putBack)) {
                    log.warn("The deletion of agent {} (tenant {}) stopped half-way at {}; the agent was put back",
                            deletion.agent().value(), deletion.tenant().value(), deletion.startedAt());
                }
            }
            catch (DomainProblem raced) {
                // Finished or put back by another request or instance meanwhile.
            }
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
