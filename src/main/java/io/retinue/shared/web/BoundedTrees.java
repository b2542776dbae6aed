package io.retinue.shared.web;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.deser.jackson.JsonNodeDeserializer;

/**
 * Reads the free-form JSON of a request body (tool arguments, schemas, metadata, agent documents) under the same
 * bounds as its typed lists and maps: no array or object of more than {@link CollectionBounds#MAX_ENTRIES} entries and
 * no text that is not Unicode, at any depth — refused with the pointer to where it is.
 */
final class BoundedTrees extends JsonNodeDeserializer {

    @Override
    public JsonNode deserialize(JsonParser parser, DeserializationContext context) {
        JsonNode tree = super.deserialize(parser, context);
        check(parser, tree);
        return tree;
    }

    private static void check(JsonParser parser, JsonNode node) {
        if (node.isString()) {
            if (!WellFormedStrings.isWellFormed(node.asString())) {
                throw new WellFormedStrings.NotUnicode(parser);
            }
            return;
        }
        if (!node.isContainer()) {
            return;
        }
        if (node.size() > CollectionBounds.MAX_ENTRIES) {
            throw new CollectionBounds.TooManyEntries(parser);
        }
        if (node.isArray()) {
            for (int index = 0; index < node.size(); index++) {
                try {
                    check(parser, node.get(index));
                }
                catch (JacksonException inside) {
                    throw inside.prependPath(node, index);
                }
            }
            return;
        }
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            try {
                if (!WellFormedStrings.isWellFormed(property.getKey())) {
                    throw new WellFormedStrings.NotUnicode(parser);
                }
                check(parser, property.getValue());
            }
            catch (JacksonException inside) {
                throw inside.prependPath(node, property.getKey());
            }
        }
    }
}
