package io.retinue.gateway;

import io.retinue.shared.Caller;

/**
 * Whether a principal may still act, for work done in its name long after it asked (a schedule's runs): asked each
 * time the work is done, so a revoked or expired key, a disabled user or a changed role takes effect there too.
 */
public interface Principals {

    /** The principal of {@code asMade} as it stands now, or why it may no longer act. */
    PrincipalStanding standing(Caller asMade);
}
