package io.retinue.shared;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import io.retinue.shared.web.JsonPointers;
import tools.jackson.databind.JsonNode;

/**
 * JSON Schema (draft 2020-12) the one way every module uses it: errors located by RFC 6901 JSON pointers and turned
 * into {@link Violation}s that name the offending field (the missing or unexpected property itself, not its parent).
 */
public final class JsonSchemas {

    public static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    private static final Set<String> NAMED_PROPERTY_KEYWORDS = Set.of("required", "additionalProperties",
            "dependentRequired", "unevaluatedProperties", "propertyNames");

    private JsonSchemas() {
    }

    public static SchemaRegistry registry() {
        return registry(Map.of());
    }

    /** A registry that also knows the given schemas by their {@code $id}. */
    public static SchemaRegistry registry(Map<String, String> schemasById) {
        Consumer<SchemaRegistry.Builder> customizer = builder -> builder
            .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build())
            .schemas(schemasById);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, customizer);
    }

    /** The meta-schema, to check that a document is itself a valid JSON Schema. */
    public static Schema metaSchema(SchemaRegistry registry) {
        return registry.getSchema(SchemaLocation.of(META_SCHEMA));
    }

    /** Every violation of {@code instance}, each at its pointer below {@code prefix}. */
    public static List<Violation> violations(Schema schema, JsonNode instance, String prefix) {
        Set<Violation> found = new LinkedHashSet<>();
        for (Error error : schema.validate(instance)) {
            found.add(new Violation(prefix + pointerOf(error), messageOf(error)));
        }
        return List.copyOf(found);
    }

    private static String pointerOf(Error error) {
        String pointer = error.getInstanceLocation().toString();
        if (error.getProperty() != null && NAMED_PROPERTY_KEYWORDS.contains(error.getKeyword())) {
            pointer = pointer + "/" + JsonPointers.escape(error.getProperty());
        }
        return pointer;
    }

    private static String messageOf(Error error) {
        String message = error.getMessage();
        String location = error.getInstanceLocation().toString();
        if (message.startsWith(location + ": ")) {
            return message.substring(location.length() + 2);
        }
        return message.startsWith(": ") ? message.substring(2) : message;
    }
}
