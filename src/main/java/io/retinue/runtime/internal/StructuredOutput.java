package io.retinue.runtime.internal;

import java.util.List;

import org.springframework.stereotype.Component;

import com.networknt.schema.SchemaRegistry;

import io.retinue.shared.JsonSchemas;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a final answer against the agent's JSON Schema response format, and words the request for the one repair
 * attempt a run makes before it fails.
 */
@Component
class StructuredOutput {

    private final JsonMapper json;
    private final SchemaRegistry schemas = JsonSchemas.registry();

    StructuredOutput(JsonMapper json) {
        this.json = json;
    }

    /** What is wrong with the answer; empty when it is JSON that satisfies the schema. */
    List<String> problems(JsonNode schema, String answer) {
        JsonNode parsed;
        try {
            parsed = json.readTree(answer == null ? "" : stripFence(answer));
        }
        catch (JacksonException notJson) {
            return List.of("the answer is not JSON");
        }
        if (parsed == null || parsed.isMissingNode()) {
            return List.of("the answer is empty");
        }
        return JsonSchemas.violations(schemas.getSchema(schema), parsed, "")
            .stream()
            .map(violation -> (violation.pointer().isEmpty() ? "/" : violation.pointer()) + ": " + violation.detail())
            .toList();
    }

    static String repairRequest(List<String> problems) {
        return "Your answer does not match the required JSON Schema: " + String.join("; ", problems)
                + ". Reply again with only the JSON value, nothing else.";
    }

    /** Models often wrap JSON in a Markdown code fence; the content inside is what counts. */
    private static String stripFence(String answer) {
        String trimmed = answer.trim();
        if (trimmed.startsWith("```")) {
            int start = trimmed.indexOf('\n');
            int end = trimmed.lastIndexOf("```");
            if (start > 0 && end > start) {
                return trimmed.substring(start + 1, end);
            }
        }
        return trimmed;
    }
}
