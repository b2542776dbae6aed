package io.retinue.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AgentConfigTest {

    private final AgentConfig.Instructions instructions = new AgentConfig.Instructions(
            "Support for {{company}} in {{ language }}. {{company}} first.",
            List.of(new AgentConfig.Variable("company", null, true, null),
                    new AgentConfig.Variable("language", null, false, "English")));

    @Test
    void findsPlaceholdersInOrderOfFirstUse() {
        assertThat(instructions.placeholders()).containsExactly("company", "language");
    }

    @Test
    void rendersBindingsAndDefaults() {
        assertThat(instructions.render(Map.of("company", "ACME")))
            .isEqualTo("Support for ACME in English. ACME first.");
        assertThat(instructions.render(Map.of("company", "$1 \\ Co", "language", "German")))
            .as("values are inserted literally").isEqualTo("Support for $1 \\ Co in German. $1 \\ Co first.");
    }

    @Test
    void refusesMissingRequiredAndUndeclaredBindingsNamingEach() {
        assertThatIllegalArgumentException().isThrownBy(() -> instructions.render(Map.of("colour", "red")))
            .withMessageContaining("'colour' is not a declared variable")
            .withMessageContaining("'company' is required");
    }

    @Test
    void roundTripsEveryFieldThroughJson() {
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        String full = """
                {"model":{"provider":"openai","name":"gpt-x","parameters":{"temperature":0.3,"maxOutputTokens":256,"topP":0.9,"stop":["END"]}},
                 "instructions":{"system":"Hi {{who}}","variables":[{"name":"who","description":"d","required":true,"default":"you"}]},
                 "tools":[{"name":"crm.lookup","version":"2"}],
                 "limits":{"maxSteps":3,"maxTokensPerRun":999,"runTimeoutSeconds":60},
                 "context":{"windowTokens":4096,"summarize":true},
                 "responseFormat":{"type":"json_schema","name":"answer","schema":{"type":"object"}},
                 "metadata":{"owner":"me","n":[1,2]}}""";
        AgentConfig config = json.readValue(full, AgentConfig.class);
        tools.jackson.databind.JsonNode written = json.valueToTree(config);
        assertThat(written).isEqualTo(json.readTree(full));
        assertThat(config.instructions().variables().getFirst().mandatory()).isTrue();
    }

    @Test
    void fillsDocumentedDefaults() {
        AgentConfig config = new AgentConfig(new AgentConfig.Model("demo", "demo-echo", null),
                new AgentConfig.Instructions("Hi", null), null, null, null, null, null);
        assertThat(config.limits()).isEqualTo(new AgentConfig.Limits(10, 100_000, 300));
        assertThat(config.context().summarize()).isFalse();
        assertThat(config.responseFormat().type()).isEqualTo("text");
        assertThat(config.tools()).isEmpty();
        assertThat(config.metadata().isObject()).isTrue();
    }
}
