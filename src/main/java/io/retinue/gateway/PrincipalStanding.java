package io.retinue.gateway;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.retinue.shared.Caller;

/**
 * What {@link Principals} found: the principal as it is now (its current scopes), or why it may no longer act. On the
 * wire (between Retinue's processes) the property {@code standing} tells which: {@code {"standing":"current",
 * "caller":{…}}} or {@code {"standing":"lapsed","reason":"…"}} — names that stay when the records are renamed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "standing")
@JsonSubTypes({ @JsonSubTypes.Type(value = PrincipalStanding.Current.class, name = "current"),
        @JsonSubTypes.Type(value = PrincipalStanding.Lapsed.class, name = "lapsed") })
public sealed interface PrincipalStanding {

    /** The principal may act, with these scopes and agent restriction. */
    record Current(Caller caller) implements PrincipalStanding {
    }

    /** The principal may no longer act at all: a revoked, expired or deleted key, a disabled or deleted user. */
    record Lapsed(String reason) implements PrincipalStanding {
    }
}
