package io.retinue.shared;

/** One thing wrong with a request: where (an RFC 6901 JSON pointer into the body, or a parameter name) and why. */
public record Violation(String pointer, String detail) {

    public Violation {
        if (pointer == null) {
            pointer = "";
        }
    }
}
