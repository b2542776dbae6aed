package io.retinue.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

class ConfigDiffTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void listsReplacementsAdditionsAndRemovalsWithOldValues() {
        var changes = ConfigDiff.between(json.readTree("""
                {"model":{"name":"a","parameters":{"temperature":0.2}},"tools":[{"name":"x"},{"name":"y"}],"metadata":{"a/b":1}}"""),
                json.readTree("""
                {"model":{"name":"b","parameters":{}},"tools":[{"name":"x"}],"metadata":{"a/b":1,"c":true}}"""));
        assertThat(changes).extracting(c -> c.op() + " " + c.path())
            .containsExactly("replace /model/name", "remove /model/parameters/temperature", "remove /tools/1",
                    "add /metadata/c");
        assertThat(changes.getFirst().from().asString()).isEqualTo("a");
        assertThat(changes.getFirst().value().asString()).isEqualTo("b");
    }

    @Test
    void equalDocumentsHaveNoChanges() {
        assertThat(ConfigDiff.between(json.readTree("{\"a\":[1,2]}"), json.readTree("{\"a\":[1,2]}"))).isEmpty();
    }
}
