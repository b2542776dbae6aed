package io.retinue.shared.web;

import tools.jackson.core.JacksonException;

/** Turns the path Jackson reports for a bad value into an RFC 6901 JSON pointer. */
public final class JsonPointers {

    private JsonPointers() {
    }

    public static String of(JacksonException ex) {
        StringBuilder pointer = new StringBuilder();
        for (JacksonException.Reference ref : ex.getPath()) {
            pointer.append('/');
            if (ref.getPropertyName() != null) {
                pointer.append(escape(ref.getPropertyName()));
            }
            else if (ref.getIndex() >= 0) {
                pointer.append(ref.getIndex());
            }
        }
        return pointer.toString();
    }

    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
