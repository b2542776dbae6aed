package io.retinue.shared.web;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a string of a request body, refusing one with a lone UTF-16 surrogate ({@code "\ud800"}): JSON allows the
 * escape, but the text is not Unicode, and hashing, storing or sending it on fails far from the request.
 */
final class WellFormedStrings extends StringDeserializer {

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) {
        String value = super.deserialize(parser, context);
        if (value != null && !isUnicode(value)) {
            throw new NotUnicode(parser);
        }
        return value;
    }

    /** Whether the text holds no lone surrogate (a pair stands for one code point and is fine). */
    static boolean isUnicode(String text) {
        return text.codePoints().noneMatch(point -> Character.getType(point) == Character.SURROGATE);
    }

    /** Jackson adds the path to it on its way out. */
    static final class NotUnicode extends MismatchedInputException {

        NotUnicode(JsonParser parser) {
            super(parser, "is not valid Unicode (it holds a lone surrogate)");
        }
    }
}
