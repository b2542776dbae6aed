package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.shared.Caller;

/**
 * Checks a presented API key — for the HTTP filter and for callers outside HTTP alike: parsed, known, its secret
 * matching the stored digest, unexpired and unrevoked, its tenant not being removed; a key in use has its last use noted (at most once a minute).
 */
@Component
class ApiKeyAuthentication implements KeyAuthentication {

    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    /** What checking a key found: the stored key (if the id was known) and, when refused, why. */
    record Verdict(Optional<ApiKey> stored, String refusal) {

        boolean accepted() {
            return refusal == null;
        }
    }

    private final ApiKeys keys;
    private final TenantDirectory tenants;
    private final Clock clock;
    private final Timer timer;

    ApiKeyAuthentication(ApiKeys keys, TenantDirectory tenants, Clock clock, MeterRegistry meters) {
        this.keys = keys;
        this.tenants = tenants;
        this.clock = clock;
        this.timer = Admission.timer(meters, "authentication");
    }

    Verdict verify(String presented) {
        return timer.record(() -> check(presented));
    }

    private Verdict check(String presented) {
        Optional<ApiKeySecret> secret = ApiKeySecret.parse(presented);
        Optional<ApiKey> stored = secret.flatMap(parsed -> keys.find(parsed.keyId()));
        Instant now = clock.instant();
        boolean valid = stored.isPresent() && secret.get().matches(stored.get().secretDigest());
        if (!valid || !stored.get().worksAt(now)) {
            return new Verdict(stored, !valid ? "wrong or unknown key"
                    : stored.get().revokedAt() != null ? "revoked key" : "expired key");
        }
        if (!tenants.isActive(stored.get().tenant())) {
            // Not recorded in the tenant's audit log: that is being erased, and a row written after would outlive it.
            return new Verdict(Optional.empty(), "key of a tenant being removed");
        }
        if (stored.get().lastUseOlderThan(now.minus(LAST_USED_RESOLUTION))) {
            keys.touch(stored.get(), now);
        }
        return new Verdict(stored, null);
    }

    @Override
    public Optional<Caller> authenticate(String apiKey) {
        Verdict verdict = verify(apiKey);
        return verdict.accepted() ? verdict.stored().map(ApiKey::asCaller) : Optional.empty();
    }
}
