package io.retinue.shared;

import io.swagger.v3.oas.annotations.media.Schema;

/** One thing wrong with a request: where (an RFC 6901 JSON pointer into the body, or a parameter name) and why. */
@Schema(description = "One thing wrong with a request: where (an RFC 6901 JSON pointer into the body, or a "
        + "parameter name) and why")
public record Violation(String pointer, String detail) {

    public Violation {
        if (pointer == null) {
            pointer = "";
        }
    }
}
