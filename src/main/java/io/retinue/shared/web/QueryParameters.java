package io.retinue.shared.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.retinue.shared.DomainProblem;

/** Reads typed query parameters, answering a bad value with an invalid-parameter problem that names it. */
public final class QueryParameters {

    private QueryParameters() {
    }

    public static Instant instant(String name, String value) {
        try {
            return value == null ? null : Instant.parse(value);
        }
        catch (DateTimeParseException ex) {
            throw DomainProblem.invalidParameter(name,
                    name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
