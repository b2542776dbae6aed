package io.retinue.shared;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The workspace every row and every request belongs to; until tenants are managed, all is in {@link #DEFAULT}. */
public record TenantId(@JsonValue String value) {

    private static final Pattern FORMAT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public static final TenantId DEFAULT = new TenantId("default");

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TenantId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("tenant id must match " + FORMAT.pattern());
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
