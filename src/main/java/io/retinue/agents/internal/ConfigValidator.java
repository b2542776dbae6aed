package io.retinue.agents.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;

import io.retinue.agents.TenantProviders;
import io.retinue.shared.JsonSchemas;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's ConfigValidator. Checks a request against the published JSON Schema (every violation, not the first),
 * then the rules a schema cannot express: the provider is known, every template placeholder is declared and every
 * declared variable used, tools are not listed twice, a response schema is itself a valid JSON Schema, and the output
 * token cap fits in the run's token budget. Works on the raw JSON so it can report all problems even when the body
 * would not map to records.
 */
@Component
public class ConfigValidator {

    static final String CONFIG_SCHEMA_ID = "https://retinue.dev/schemas/agent-config.json";
    static final String REQUESTS_SCHEMA_ID = "https://retinue.dev/schemas/agent-requests.json";

    /** The request shapes the agents API accepts, each a definition in agent-requests.schema.json. */
    public enum Shape {
        CREATE_AGENT("createAgent"), UPDATE_AGENT("updateAgent"), VERSION("version"), ROLLBACK("rollback"),
        DOCUMENT("document");

        private final String definition;

        Shape(String definition) {
            this.definition = definition;
        }
    }

    private final Set<String> providers;
    private final List<TenantProviders> tenantProviders;
    private final String configSchemaText;
    private final Schema configSchema;
    private final Schema metaSchema;
    private final Map<Shape, Schema> requestSchemas;
    private final JsonMapper json;

    public ConfigValidator(@Value("${retinue.agents.providers:demo,openai,anthropic,ollama}") Set<String> providers,
            List<TenantProviders> tenantProviders, JsonMapper json) {
        this.providers = Set.copyOf(providers);
        this.tenantProviders = List.copyOf(tenantProviders);
        this.json = json;
        this.configSchemaText = read("schemas/agent-config.schema.json");
        SchemaRegistry registry = JsonSchemas.registry(Map.of(CONFIG_SCHEMA_ID, configSchemaText, REQUESTS_SCHEMA_ID,
                read("schemas/agent-requests.schema.json")));
        this.configSchema = registry.getSchema(SchemaLocation.of(CONFIG_SCHEMA_ID));
        this.metaSchema = JsonSchemas.metaSchema(registry);
        this.requestSchemas = new java.util.EnumMap<>(Shape.class);
        for (Shape shape : Shape.values()) {
            requestSchemas.put(shape,
                    registry.getSchema(SchemaLocation.of(REQUESTS_SCHEMA_ID + "#/$defs/" + shape.definition)));
        }
    }

    /** The JSON Schema of an agent configuration, as published at the schema endpoint. */
    public JsonNode configSchema() {
        return json.readTree(configSchemaText);
    }

    /** Every problem of a bare configuration (the dry-run validate endpoint). */
    public List<Violation> validateConfig(TenantId tenant, JsonNode config) {
        List<Violation> violations = new ArrayList<>(JsonSchemas.violations(configSchema, config, ""));
        violations.addAll(semanticViolations(tenant, config, ""));
        return violations;
    }

    /** Every problem of a request body of the given shape, including the semantics of the configs it carries. */
    public List<Violation> validateRequest(TenantId tenant, Shape shape, JsonNode body) {
        List<Violation> violations = new ArrayList<>(JsonSchemas.violations(requestSchemas.get(shape), body, ""));
        switch (shape) {
            case CREATE_AGENT, VERSION -> violations.addAll(semanticViolations(tenant, body.path("config"), "/config"));
            case DOCUMENT -> {
                JsonNode versions = body.path("versions");
                for (int i = 0; i < versions.size(); i++) {
                    violations.addAll(semanticViolations(tenant, versions.path(i).path("config"),
                            "/versions/" + i + "/config"));
                }
            }
            default -> {
            }
        }
        return violations;
    }


    private List<Violation> semanticViolations(TenantId tenant, JsonNode config, String prefix) {
        if (!config.isObject()) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>();
        JsonNode provider = config.path("model").path("provider");
        if (provider.isString() && !providers.contains(provider.asString())) {
            Map<String, List<String>> own = new java.util.HashMap<>();
            tenantProviders.forEach(directory -> own.putAll(directory.providersOf(tenant)));
            List<String> offered = own.get(provider.asString());
            JsonNode model = config.path("model").path("name");
            if (offered == null) {
                java.util.SortedSet<String> known = new java.util.TreeSet<>(providers);
                known.addAll(own.keySet());
                violations.add(new Violation(prefix + "/model/provider",
                        "unknown provider '" + provider.asString() + "'; known providers are " + known));
            }
            else if (!offered.isEmpty() && model.isString() && !offered.contains(model.asString())) {
                violations.add(new Violation(prefix + "/model/name", "the connection '" + provider.asString()
                        + "' offers the models " + offered + ", not '" + model.asString() + "'"));
            }
        }
        checkTemplate(config.path("instructions"), prefix + "/instructions", violations);
        checkTools(config.path("tools"), prefix + "/tools", violations);
        checkResponseFormat(config.path("responseFormat"), prefix + "/responseFormat", violations);
        JsonNode maxOutput = config.path("model").path("parameters").path("maxOutputTokens");
        JsonNode perRun = config.path("limits").path("maxTokensPerRun");
        if (maxOutput.isIntegralNumber() && perRun.isIntegralNumber() && maxOutput.asLong() > perRun.asLong()) {
            violations.add(new Violation(prefix + "/model/parameters/maxOutputTokens",
                    "must not exceed limits.maxTokensPerRun (" + perRun.asLong() + ")"));
        }
        return violations;
    }

    private static void checkTemplate(JsonNode instructions, String prefix, List<Violation> violations) {
        JsonNode system = instructions.path("system");
        if (!system.isString()) {
            return;
        }
        Set<String> used = new io.retinue.agents.AgentConfig.Instructions(system.asString(), null).placeholders();
        Set<String> declared = new HashSet<>();
        JsonNode variables = instructions.path("variables");
        for (int i = 0; i < variables.size(); i++) {
            JsonNode name = variables.path(i).path("name");
            if (!name.isString()) {
                continue;
            }
            String pointer = prefix + "/variables/" + i + "/name";
            if (!declared.add(name.asString())) {
                violations.add(new Violation(pointer, "variable '" + name.asString() + "' is declared twice"));
            }
            else if (!used.contains(name.asString())) {
                violations.add(new Violation(pointer,
                        "variable '" + name.asString() + "' is declared but the system prompt never uses {{"
                                + name.asString() + "}}"));
            }
        }
        used.stream()
            .filter(name -> !declared.contains(name))
            .forEach(name -> violations.add(new Violation(prefix + "/system",
                    "placeholder {{" + name + "}} is not a declared variable")));
    }

    private static void checkTools(JsonNode tools, String prefix, List<Violation> violations) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode name = tools.path(i).path("name");
            if (name.isString() && !seen.add(name.asString())) {
                violations.add(new Violation(prefix + "/" + i + "/name",
                        "tool '" + name.asString() + "' is listed more than once"));
            }
        }
    }

    private void checkResponseFormat(JsonNode format, String prefix, List<Violation> violations) {
        JsonNode schema = format.path("schema");
        if (schema.isObject()) {
            // The meta-schema can reject one keyword along several paths; one message per place is enough.
            Map<String, Violation> byPointer = new java.util.LinkedHashMap<>();
            JsonSchemas.violations(metaSchema, schema, prefix + "/schema").forEach(violation -> byPointer.putIfAbsent(
                    violation.pointer(),
                    new Violation(violation.pointer(), "is not a valid JSON Schema: " + violation.detail())));
            violations.addAll(byPointer.values());
        }
    }

    private static String read(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
