package io.retinue.shared.web;

import java.util.Collection;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.type.CollectionType;
import tools.jackson.databind.type.MapType;

/**
 * Bounds every list, set and map a request body carries, so no client makes the platform hold (and later store and
 * send on) an unbounded number of entries. Module limits that are tighter are checked where they belong.
 */
final class CollectionBounds extends ValueDeserializerModifier {

    static final int MAX_ENTRIES = 1000;

    @Override
    public ValueDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config, CollectionType type,
            BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
        return new Bounded(deserializer);
    }

    @Override
    public ValueDeserializer<?> modifyMapDeserializer(DeserializationConfig config, MapType type,
            BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
        return new Bounded(deserializer);
    }

    /** Thrown for a list or map over the bound; Jackson adds the path to it on its way out. */
    static final class TooManyEntries extends MismatchedInputException {

        TooManyEntries(JsonParser parser) {
            super(parser, "must have at most " + MAX_ENTRIES + " entries");
        }
    }

    private static final class Bounded extends DelegatingDeserializer {

        Bounded(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new Bounded(delegate);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) {
            return checked(parser, super.deserialize(parser, context));
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context, Object into) {
            return checked(parser, super.deserialize(parser, context, into));
        }

        private static Object checked(JsonParser parser, Object value) {
            int size = value instanceof Collection<?> items ? items.size()
                    : value instanceof Map<?, ?> entries ? entries.size() : 0;
            if (size > MAX_ENTRIES) {
                throw new TooManyEntries(parser);
            }
            return value;
        }
    }
}
