package io.retinue.shared;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fields whose names say they hold a secret ({@code password}, {@code token}, {@code api_key}, …): their values are
 * masked wherever arguments are kept or shown — tool execution records, run steps and run events alike.
 */
public final class SecretFields {

    private static final Set<String> NAMES = Set.of("password", "secret", "token", "apikey", "api_key",
            "authorization", "credential", "key");

    private SecretFields() {
    }

    /** A copy with the values of secret-looking fields replaced by {@code ****}, at any depth. */
    public static JsonNode masked(JsonNode value) {
        if (value == null) {
            return null;
        }
        JsonNode copy = value.deepCopy();
        mask(copy);
        return copy;
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String name : List.copyOf(object.propertyNames())) {
                if (NAMES.contains(name.toLowerCase(Locale.ROOT))) {
                    object.put(name, "****");
                }
                else {
                    mask(object.get(name));
                }
            }
        }
        else if (node.isArray()) {
            node.forEach(SecretFields::mask);
        }
    }
}
