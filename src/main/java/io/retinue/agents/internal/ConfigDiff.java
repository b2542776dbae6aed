package io.retinue.agents.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.retinue.shared.web.JsonPointers;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * The differences between two configurations as JSON-Patch-like operations ({@code add}, {@code remove},
 * {@code replace}) with the old value beside the new one, so a reviewer sees what a version changes.
 */
public final class ConfigDiff {

    /** One difference at a JSON pointer: the old value ({@code from}) and the new one ({@code value}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "One difference at a JSON pointer: the old value (from) and the new one (value)")
    public record Change(String op, String path, JsonNode from, JsonNode value) {
    }

    private ConfigDiff() {
    }

    static List<Change> between(JsonNode from, JsonNode to) {
        List<Change> changes = new ArrayList<>();
        diff("", from, to, changes);
        return changes;
    }

    private static void diff(String path, JsonNode from, JsonNode to, List<Change> changes) {
        if (from.equals(to)) {
            return;
        }
        if (from.isObject() && to.isObject()) {
            Set<String> names = new LinkedHashSet<>(from.propertyNames());
            names.addAll(to.propertyNames());
            for (String name : names) {
                String child = path + "/" + JsonPointers.escape(name);
                if (!to.has(name)) {
                    changes.add(new Change("remove", child, from.get(name), null));
                }
                else if (!from.has(name)) {
                    changes.add(new Change("add", child, null, to.get(name)));
                }
                else {
                    diff(child, from.get(name), to.get(name), changes);
                }
            }
        }
        else if (from.isArray() && to.isArray()) {
            int common = Math.min(from.size(), to.size());
            for (int i = 0; i < common; i++) {
                diff(path + "/" + i, from.get(i), to.get(i), changes);
            }
            for (int i = from.size() - 1; i >= common; i--) {
                changes.add(new Change("remove", path + "/" + i, from.get(i), null));
            }
            for (int i = common; i < to.size(); i++) {
                changes.add(new Change("add", path + "/" + i, null, to.get(i)));
            }
        }
        else {
            changes.add(new Change("replace", path, from, to));
        }
    }
}
