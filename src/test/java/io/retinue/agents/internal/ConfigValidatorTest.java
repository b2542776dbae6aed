package io.retinue.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ConfigValidatorTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final ConfigValidator validator = new ConfigValidator(Set.of("demo", "openai"), java.util.List.of(), json);

    private List<String> pointers(String config) {
        return validator.validateConfig(io.retinue.shared.TenantId.DEFAULT, json.readTree(config)).stream().map(Violation::pointer).toList();
    }

    @Test
    void acceptsAMinimalConfiguration() {
        assertThat(pointers("""
                {"model":{"provider":"demo","name":"demo-echo"},"instructions":{"system":"Be brief."}}""")).isEmpty();
    }

    @Test
    void reportsMissingAndUnknownFieldsAtTheirPointers() {
        assertThat(pointers("""
                {"model":{"provider":"demo"},"instructions":{"system":"x","tone":"dry"},"colour":"red"}"""))
            .containsExactlyInAnyOrder("/model/name", "/instructions/tone", "/colour");
    }

    @Test
    void checksRangesAndForms() {
        assertThat(pointers("""
                {"model":{"provider":"Demo!","name":"m","parameters":{"temperature":-1,"topP":0,"maxOutputTokens":0,"stop":["a","a"]}},
                 "instructions":{"system":"x"},"tools":[{"name":"Bad Name"}],"limits":{"maxSteps":0,"runTimeoutSeconds":100000},
                 "context":{"windowTokens":10}}"""))
            .contains("/model/provider", "/model/parameters/temperature", "/model/parameters/topP",
                    "/model/parameters/maxOutputTokens", "/model/parameters/stop", "/tools/0/name", "/limits/maxSteps",
                    "/limits/runTimeoutSeconds", "/context/windowTokens");
    }

    @Test
    void checksSemantics() {
        List<Violation> violations = validator.validateConfig(io.retinue.shared.TenantId.DEFAULT, json.readTree("""
                {"model":{"provider":"anthropic","name":"m","parameters":{"maxOutputTokens":900}},
                 "instructions":{"system":"Hi {{name}} and {{missing}}","variables":[{"name":"name"},{"name":"spare"},{"name":"name"}]},
                 "tools":[{"name":"web.get"},{"name":"web.get","version":"2"}],
                 "limits":{"maxTokensPerRun":500},
                 "responseFormat":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"colour"}}}}}"""));
        assertThat(violations).extracting(Violation::pointer)
            .containsExactlyInAnyOrder("/model/provider", "/instructions/variables/1/name",
                    "/instructions/variables/2/name", "/instructions/system", "/tools/1/name",
                    "/model/parameters/maxOutputTokens", "/responseFormat/schema/properties/a/type");
        assertThat(violations).filteredOn(v -> v.pointer().equals("/instructions/system"))
            .extracting(Violation::detail)
            .containsExactly("placeholder {{missing}} is not a declared variable");
    }

    @Test
    void responseSchemaIsRequiredExactlyForJsonSchemaFormat() {
        assertThat(pointers("""
                {"model":{"provider":"demo","name":"m"},"instructions":{"system":"x"},"responseFormat":{"type":"json_schema"}}"""))
            .containsExactly("/responseFormat/schema");
        assertThat(pointers("""
                {"model":{"provider":"demo","name":"m"},"instructions":{"system":"x"},"responseFormat":{"type":"text","schema":{}}}"""))
            .isNotEmpty();
    }

    @Test
    void publishesItsSchema() {
        JsonNode schema = validator.configSchema();
        assertThat(schema.get("$schema").asString()).contains("2020-12");
        assertThat(schema.at("/properties/model/required").valueStream().map(JsonNode::asString)).contains("provider", "name");
    }
}
