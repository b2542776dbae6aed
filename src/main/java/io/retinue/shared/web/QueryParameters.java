package io.retinue.shared.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.retinue.shared.DomainProblem;

/** Reads typed query parameters, answering a bad value with an invalid-parameter problem that names it. */
public final class QueryParameters {

    private QueryParameters() {
    }

    /** A page size: 1 to 200 items. */
    public static int limit(int limit) {
        if (limit < 1 || limit > 200) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and 200");
        }
        return limit;
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
