package io.retinue.gateway;

import io.retinue.shared.Caller;

/** What {@link Principals} found: the principal as it is now (its current scopes), or why it may no longer act. */
public sealed interface PrincipalStanding {

    /** The principal may act, with these scopes and agent restriction. */
    record Current(Caller caller) implements PrincipalStanding {
    }

    /** The principal may no longer act at all: a revoked, expired or deleted key, a disabled or deleted user. */
    record Lapsed(String reason) implements PrincipalStanding {
    }
}
