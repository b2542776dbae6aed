package io.retinue.agents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One version of an agent's configuration: which model it calls and how, its instructions, the tools it may ask for,
 * its limits, context policy, response format and free metadata. Absent optional parts take their documented
 * defaults when the record is made, so a stored version always says explicitly how the agent runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "An agent configuration; the full JSON Schema is served at GET /api/v1/agent-configs/schema")
public record AgentConfig(Model model, Instructions instructions, List<ToolRef> tools, Limits limits,
        ContextPolicy context, ResponseFormat responseFormat,
        @Schema(description = "Free-form metadata (a JSON object)") JsonNode metadata) {

    public AgentConfig {
        if (model == null || instructions == null) {
            throw new IllegalArgumentException("an agent configuration needs a model and instructions");
        }
        tools = tools == null ? List.of() : List.copyOf(tools);
        limits = limits == null ? Limits.DEFAULT : limits;
        context = context == null ? ContextPolicy.DEFAULT : context;
        responseFormat = responseFormat == null ? ResponseFormat.TEXT : responseFormat;
        metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    }

    /** The model to call: a provider known to the platform, a model name and sampling parameters. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "The model to call: a provider known to the platform, a model name and sampling parameters")
    public record Model(@Schema(example = "demo") String provider, @Schema(example = "demo-echo") String name,
            Parameters parameters) {

        public Model {
            parameters = parameters == null ? Parameters.NONE : parameters;
        }
    }

    /** Sampling parameters; absent ones are left to the provider's defaults. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "Sampling parameters; absent ones are left to the provider's defaults")
    public record Parameters(@Schema(example = "0.2") Double temperature,
            @Schema(example = "512") Integer maxOutputTokens, @Schema(example = "1.0") Double topP,
            List<String> stop) {

        static final Parameters NONE = new Parameters(null, null, null, null);

        public Parameters {
            stop = stop == null ? List.of() : List.copyOf(stop);
        }
    }

    /**
     * The system prompt, with {@code {{variable}}} placeholders that every run binds; each placeholder must be
     * declared and each declared variable used.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "The system prompt, with {{variable}} placeholders that every run binds; each placeholder "
            + "must be declared and each declared variable used")
    public record Instructions(
            @Schema(example = "You are the support agent of {{company}}. Answer briefly.") String system,
            List<Variable> variables) {

        private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

        public Instructions {
            variables = variables == null ? List.of() : List.copyOf(variables);
        }

        /** The variable names the system prompt refers to, in order of first use. */
        public Set<String> placeholders() {
            Set<String> names = new LinkedHashSet<>();
            Matcher matcher = PLACEHOLDER.matcher(system == null ? "" : system);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            return names;
        }

        /**
         * Binds the variables of one run into the system prompt. Unknown bindings and missing required values are
         * refused (with every offending name), optional ones fall back to their default or to empty text.
         */
        public String render(Map<String, String> bindings) {
            Map<String, Variable> declared = new LinkedHashMap<>();
            variables.forEach(variable -> declared.put(variable.name(), variable));
            List<String> problems = new ArrayList<>();
            bindings.keySet()
                .stream()
                .filter(name -> !declared.containsKey(name))
                .forEach(name -> problems.add("'" + name + "' is not a declared variable"));
            declared.values()
                .stream()
                .filter(variable -> variable.mandatory() && !bindings.containsKey(variable.name()))
                .forEach(variable -> problems.add("'" + variable.name() + "' is required"));
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            Matcher matcher = PLACEHOLDER.matcher(system);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                Variable variable = declared.get(matcher.group(1));
                String value = bindings.getOrDefault(matcher.group(1),
                        variable == null || variable.defaultValue() == null ? "" : variable.defaultValue());
                matcher.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            matcher.appendTail(out);
            return out.toString();
        }
    }

    /** A declared template variable. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "A declared template variable")
    public record Variable(@Schema(example = "company") String name, String description, Boolean required,
            @JsonProperty("default") String defaultValue) {

        /** Whether every run must bind this variable (absent {@code required} means optional). */
        public boolean mandatory() {
            return Boolean.TRUE.equals(required);
        }
    }

    /** A tool the agent may ask for, by its namespaced registry name and optionally a pinned version. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "A tool the agent may ask for, by its namespaced registry name and optionally a pinned "
            + "version")
    public record ToolRef(@Schema(example = "builtin.clock") String name, @Schema(example = "1") String version) {
    }

    /** What ends a run that does not end by itself. */
    @Schema(description = "What ends a run that does not end by itself")
    public record Limits(@Schema(example = "10") Integer maxSteps, @Schema(example = "50000") Integer maxTokensPerRun,
            @Schema(example = "300") Integer runTimeoutSeconds) {

        public static final Limits DEFAULT = new Limits(null, null, null);

        public Limits {
            maxSteps = maxSteps == null ? 10 : maxSteps;
            maxTokensPerRun = maxTokensPerRun == null ? 100_000 : maxTokensPerRun;
            runTimeoutSeconds = runTimeoutSeconds == null ? 300 : runTimeoutSeconds;
        }
    }

    /**
     * How much conversation the runtime keeps in the model's window: a token budget, how many earlier turns at most,
     * how long a tool result may be when the budget is tight, and whether what falls out is summarised.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "How much conversation the runtime keeps in the model's window: a token budget, how many "
            + "earlier turns at most, how long a tool result may be when the budget is tight, and whether what "
            + "falls out is summarised")
    public record ContextPolicy(@Schema(example = "16000") Integer windowTokens, Boolean summarize,
            @Schema(example = "20") Integer keepTurns, @Schema(example = "2000") Integer maxToolResultTokens) {

        public static final ContextPolicy DEFAULT = new ContextPolicy(null, false, null, null);

        public ContextPolicy(Integer windowTokens, Boolean summarize) {
            this(windowTokens, summarize, null, null);
        }

        public ContextPolicy {
            summarize = summarize != null && summarize;
        }
    }

    /** Plain text answers, or answers that must validate against a JSON Schema. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "Plain text answers, or answers that must validate against a JSON Schema")
    public record ResponseFormat(@Schema(allowableValues = { "text", "json_schema" }) String type, String name,
            @Schema(description = "A JSON Schema (draft 2020-12) for type json_schema") JsonNode schema) {

        public static final ResponseFormat TEXT = new ResponseFormat("text", null, null);

        @JsonIgnore
        public boolean isJsonSchema() {
            return "json_schema".equals(type);
        }
    }
}
