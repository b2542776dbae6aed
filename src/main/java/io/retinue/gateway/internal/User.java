package io.retinue.gateway.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.retinue.shared.Role;
import io.retinue.shared.TenantId;

/**
 * A person who logs in to one tenant with a password. After {@code maxAttempts} failures in a row the account locks
 * for a while, doubling with every further failure, so guessing is slow without locking a user out for good.
 */
record User(UUID id, TenantId tenant, String email, String displayName, String passwordHash, Role role,
        int failedAttempts, Instant lockedUntil, Instant createdAt, Instant disabledAt) {

    boolean isLockedAt(Instant now) {
        return lockedUntil != null && now.isBefore(lockedUntil);
    }

    boolean isDisabled() {
        return disabledAt != null;
    }

    /** The state after one more failed attempt. */
    User failedAttempt(Instant now, int maxAttempts, Duration lockout) {
        int failures = failedAttempts + 1;
        Instant locked = lockedUntil;
        if (failures >= maxAttempts) {
            long factor = 1L << Math.min(10, failures - maxAttempts);
            locked = now.plus(lockout.multipliedBy(factor));
        }
        return new User(id, tenant, email, displayName, passwordHash, role, failures, locked, createdAt, disabledAt);
    }
}
