package io.retinue.shared.web;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a string of a request body, refusing one with a lone UTF-16 surrogate ({@code "\ud800"}) or a NUL character
 * ({@code "\u0000"}): JSON allows both escapes, but the first is not Unicode and PostgreSQL text cannot hold the second,
 * so hashing, storing or sending it on fails far from the request (a NUL was answered 409 by the database's refusal).
 */
final class WellFormedStrings extends StringDeserializer {

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) {
        String value = super.deserialize(parser, context);
        if (value != null && !isWellFormed(value)) {
            throw new NotUnicode(parser);
        }
        return value;
    }

    /** Whether the text holds no lone surrogate (a pair stands for one code point and is fine) and no NUL. */
    static boolean isWellFormed(String text) {
        // A plain loop: every string of every request body comes through here (a stream of code points allocated).
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || Character.isLowSurrogate(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /** Jackson adds the path to it on its way out. */
    static final class NotUnicode extends MismatchedInputException {

        NotUnicode(JsonParser parser) {
            super(parser, "is not valid text (it holds a lone surrogate or a NUL character)");
        }
    }
}
