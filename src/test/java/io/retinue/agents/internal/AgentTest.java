package io.retinue.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentId;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;

class AgentTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final AgentId id = AgentId.random();

    static AgentConfig config(String model) {
        return new AgentConfig(new AgentConfig.Model("demo", model, null), new AgentConfig.Instructions("Hi", null),
                null, null, null, null, null);
    }

    private Agent created() {
        AgentVersion first = AgentVersion.draft(id, 1, config("a"), null, T0);
        return Agent.create(id, TenantId.DEFAULT, "bot", "Bot", "", Map.of(), first, T0);
    }

    @Test
    void startsWithADraftAndNothingLive() {
        Agent agent = created();
        assertThat(agent.draftVersion()).isEqualTo(1);
        assertThat(agent.liveVersion()).isNull();
        assertThat(agent.etag()).isEqualTo("\"1\"");
    }

    @Test
    void publishingClosesTheDraftAndMovesTheModelShown() {
        Agent agent = created();
        AgentVersion v1 = AgentVersion.draft(id, 1, config("a"), null, T0).publish(T0);
        agent = agent.publish(v1, T0);
        AgentVersion v2 = AgentVersion.draft(id, agent.nextDraftNumber(), config("b"), null, T0);
        agent = agent.withDraft(v2, T0);
        assertThat(agent.modelName()).as("the live version's model, not the draft's").isEqualTo("a");
        agent = agent.publish(v2.publish(T0), T0);
        assertThat(agent.liveVersion()).isEqualTo(2);
        assertThat(agent.draftVersion()).isNull();
        assertThat(agent.modelName()).isEqualTo("b");
        assertThat(agent.revision()).isEqualTo(4);
    }

    @Test
    void onlyOneDraftAtATime() {
        assertThatThrownBy(() -> created().nextDraftNumber()).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type()).isEqualTo(AgentProblems.DRAFT_EXISTS));
    }

    @Test
    void publishedVersionsAreFrozen() {
        AgentVersion published = AgentVersion.draft(id, 1, config("a"), null, T0).publish(T0);
        assertThatThrownBy(() -> published.revise(config("b"), null)).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type()).isEqualTo(AgentProblems.VERSION_IMMUTABLE));
        assertThatThrownBy(() -> published.publish(T0)).isInstanceOf(DomainProblem.class);
    }

    @Test
    void rollsBackOnlyToAnotherPublishedVersion() {
        Agent agent = created();
        AgentVersion draft = AgentVersion.draft(id, 1, config("a"), null, T0);
        assertThatThrownBy(() -> agent.rollbackTo(draft, T0)).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type()).isEqualTo(AgentProblems.NOT_PUBLISHED));
        AgentVersion v1 = draft.publish(T0);
        Agent live = agent.publish(v1, T0);
        assertThatThrownBy(() -> live.rollbackTo(v1, T0)).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type()).isEqualTo(AgentProblems.ALREADY_LIVE));
    }

    @Test
    void archivedAgentsRefuseVersionChangesAndStalePreconditionsFail() {
        Agent archived = created().archive(T0);
        assertThatThrownBy(archived::nextDraftNumber).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type()).isEqualTo(AgentProblems.ARCHIVED));
        assertThatThrownBy(() -> archived.checkPrecondition(1L)).isInstanceOfSatisfying(DomainProblem.class,
                problem -> assertThat(problem.type().status().value()).isEqualTo(412));
        archived.checkPrecondition(2L);
        archived.checkPrecondition(null);
    }

    @Test
    void equalConfigurationsHaveEqualDigestsWhateverTheirKeyOrder() {
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        AgentConfig a = json.readValue("""
                {"model":{"provider":"demo","name":"x"},"instructions":{"system":"Hi"},"metadata":{"b":1,"a":2}}""",
                AgentConfig.class);
        AgentConfig b = json.readValue("""
                {"metadata":{"a":2,"b":1},"instructions":{"system":"Hi"},"model":{"name":"x","provider":"demo"}}""",
                AgentConfig.class);
        assertThat(ConfigDigest.of(a)).isEqualTo(ConfigDigest.of(b)).isNotEqualTo(ConfigDigest.of(config("y")));
    }
}
