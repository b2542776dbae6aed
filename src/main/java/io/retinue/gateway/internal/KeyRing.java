package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Role;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Issues, rotates and revokes a tenant's API keys. A caller can never hand out more than it holds, keys of another
 * tenant do not exist for it (404), and every change is audited.
 */
@Service
public class KeyRing {

    static final ProblemType SCOPE_ESCALATION = ProblemType.of("gateway/scope-escalation", HttpStatus.FORBIDDEN,
            "Scope escalation");
    static final Duration MAX_OVERLAP = Duration.ofDays(30);

    /** What a new key may do and for how long. */
    public record KeyRequest(String name, Set<String> scopes, Role role, Set<String> agents, Instant expiresAt) {
    }

    /** A key as shown to its managers: never the secret. */
    @Schema(description = "A key as shown to its managers: never the secret")
    public record KeyView(String id, String name, String prefix, Set<String> scopes, Set<String> agents,
            String createdBy, Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt,
            String replacedBy, String state) {
    }

    /** A key just issued: the only time its secret is shown. */
    @Schema(description = "A key just issued: the only time its secret is shown")
    public record IssuedKey(KeyView key, String secret) {
    }

    private final ApiKeys keys;
    private final AuditLog audit;
    private final Clock clock;

    KeyRing(ApiKeys keys, AuditLog audit, Clock clock) {
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public IssuedKey issue(Caller caller, KeyRequest request) {
        Set<String> scopes = scopesOf(caller, request);
        Instant now = now();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw DomainProblem.invalid(List.of(new Violation("/expiresAt", "must be in the future")));
        }
        ApiKeySecret secret = ApiKeySecret.generate();
        ApiKey key = new ApiKey(secret.keyId(), caller.tenant(), request.name(), secret.digest(), scopes,
                request.agents(), caller.principalId(), now, request.expiresAt(), null, null, null);
        keys.add(secret, key);
        audit.success(caller.tenant(), caller.principalId(), "api_key.created", "key:" + key.id(),
                "scopes=" + new TreeSet<>(scopes));
        return new IssuedKey(view(key, now), secret.token());
    }

    @Transactional(readOnly = true)
    public KeyView get(Caller caller, String id) {
        return view(load(caller, id), now());
    }

    @Transactional(readOnly = true)
    public Page<KeyView> list(Caller caller, String cursor, int limit) {
        if (limit < 1 || limit > 200) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and 200");
        }
        ApiKey after = cursor == null ? null
                : keys.find(caller.tenant(), cursor)
                    .orElseThrow(() -> DomainProblem.invalidParameter("cursor", "the cursor is not one this API issued"));
        List<ApiKey> rows = keys.list(caller.tenant(), after, limit + 1);
        Instant now = now();
        boolean more = rows.size() > limit;
        List<ApiKey> page = more ? rows.subList(0, limit) : rows;
        return new Page<>(page.stream().map(key -> view(key, now)).toList(), more ? page.getLast().id() : null);
    }

    /**
     * Replaces a key by a new one with the same name, scopes, agents and expiry; the old key keeps working for the
     * overlap window so deployments can switch without downtime.
     */
    @Transactional
    public IssuedKey rotate(Caller caller, String id, Duration overlap) {
        if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
            throw DomainProblem.invalid(List.of(new Violation("/overlapSeconds", "must be between 0 and " + MAX_OVERLAP.toSeconds())));
        }
        ApiKey old = load(caller, id);
        Instant now = now();
        if (!old.worksAt(now)) {
            throw new DomainProblem(ProblemType.CONFLICT, "Key " + id + " is revoked or expired; issue a new key");
        }
        ApiKeySecret secret = ApiKeySecret.generate();
        ApiKey successor = new ApiKey(secret.keyId(), old.tenant(), old.name(), secret.digest(), old.scopes(),
                old.agents(), caller.principalId(), now, old.expiresAt(), null, null, null);
        keys.add(secret, successor);
        keys.retire(old, now.plus(overlap), successor.id());
        audit.success(caller.tenant(), caller.principalId(), "api_key.rotated", "key:" + old.id(),
                "successor=key:" + successor.id() + " overlap=" + overlap.toSeconds() + "s");
        return new IssuedKey(view(successor, now), secret.token());
    }

    /** Revokes a key; it is refused from the next request on, on every instance (keys are checked per request). */
    @Transactional
    public void revoke(Caller caller, String id) {
        ApiKey key = load(caller, id);
        if (keys.revoke(key, now())) {
            audit.success(caller.tenant(), caller.principalId(), "api_key.revoked", "key:" + key.id(), null);
        }
    }

    /** Issues a tenant's first key with the owner role (used when a tenant is created). */
    IssuedKey issueOwnerKey(TenantId tenant, String createdBy) {
        Instant now = now();
        ApiKeySecret secret = ApiKeySecret.generate();
        ApiKey key = new ApiKey(secret.keyId(), tenant, "owner", secret.digest(), Set.of(Scopes.ADMIN), Set.of(),
                createdBy, now, null, null, null, null);
        keys.add(secret, key);
        audit.success(tenant, createdBy, "api_key.created", "key:" + key.id(), "scopes=[admin] role=owner");
        return new IssuedKey(view(key, now), secret.token());
    }

    private Set<String> scopesOf(Caller caller, KeyRequest request) {
        Set<String> wanted = new HashSet<>(request.scopes() == null ? Set.of() : request.scopes());
        if (request.role() != null) {
            wanted.addAll(request.role().scopes());
        }
        if (wanted.isEmpty()) {
            throw DomainProblem.invalid(List.of(new Violation("/scopes", "give scopes or a role")));
        }
        List<Violation> unknown = wanted.stream()
            .filter(scope -> !Scopes.GRANTABLE.contains(scope))
            .sorted()
            .map(scope -> new Violation("/scopes", "unknown scope '" + scope + "'"))
            .toList();
        if (!unknown.isEmpty()) {
            throw DomainProblem.invalid(unknown);
        }
        Set<String> beyond = new TreeSet<>(Scopes.effective(wanted));
        beyond.removeAll(caller.scopes());
        if (!beyond.isEmpty()) {
            audit.denied(caller.tenant(), caller.principalId(), "api_key.created", null, "escalation " + beyond);
            throw new DomainProblem(SCOPE_ESCALATION, "A key cannot hold scopes its creator lacks: " + beyond,
                    List.of(new Violation("/scopes", "exceeds the caller's scopes")), Map.of());
        }
        return wanted;
    }

    private ApiKey load(Caller caller, String id) {
        return keys.find(caller.tenant(), id).orElseThrow(() -> DomainProblem.notFound("API key '" + id + "'"));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    static KeyView view(ApiKey key, Instant now) {
        String state = key.revokedAt() != null ? "revoked" : key.worksAt(now) ? "active" : "expired";
        return new KeyView(key.id(), key.name(), "rtn_" + key.id() + "_", new TreeSet<>(key.scopes()),
                new TreeSet<>(key.agents()), key.createdBy(), key.createdAt(), key.expiresAt(), key.lastUsedAt(),
                key.revokedAt(), key.replacedBy(), state);
    }
}
