package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The seed's user authentication: password login to a short-lived access JWT plus a rotating refresh token,
 * refresh, and logout. Failures look the same whatever went wrong (unknown user, wrong password, locked, disabled),
 * take the same time, and are audited; repeated failures lock the account with growing back-off.
 */
@Service
public class Logins {

    static final ProblemType LOGIN_FAILED = ProblemType.of("gateway/login-failed", HttpStatus.UNAUTHORIZED,
            "Login failed");
    static final ProblemType REFRESH_FAILED = ProblemType.of("gateway/refresh-failed", HttpStatus.UNAUTHORIZED,
            "Refresh failed");

    /** What a successful login or refresh hands out. */
    @Schema(name = "Tokens", description = "What a successful login or refresh hands out: a short-lived access "
            + "token and a refresh token")
    public record Session(String accessToken, String tokenType, long expiresIn, String refreshToken) {
    }

    private final Users users;
    private final RefreshTokens refreshTokens;
    private final AccessTokens accessTokens;
    private final PasswordEncoder passwords;
    private final AuditLog audit;
    private final Clock clock;
    private final int maxAttempts;
    private final Duration lockout;
    private final Duration refreshTtl;
    private final String dummyHash;

    Logins(Users users, RefreshTokens refreshTokens, AccessTokens accessTokens, PasswordEncoder passwords,
            AuditLog audit, Clock clock, @Value("${retinue.auth.max-failed-logins:5}") int maxAttempts,
            @Value("${retinue.auth.lockout:1m}") Duration lockout,
            @Value("${retinue.auth.refresh-token-ttl:30d}") Duration refreshTtl) {
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.accessTokens = accessTokens;
        this.passwords = passwords;
        this.audit = audit;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.lockout = lockout;
        this.refreshTtl = refreshTtl;
        this.dummyHash = passwords.encode("not-a-real-password-" + UUID.randomUUID());
    }

    public Session login(TenantId tenant, String email, String password) {
        Instant now = clock.instant();
        Optional<User> found = users.byEmail(tenant, email);
        if (found.isEmpty()) {
            passwords.matches(password, dummyHash);
            audit.denied(tenant, "email:" + email, "login.failed", null, "unknown user");
            throw failed();
        }
        User user = found.get();
        if (user.isDisabled() || user.isLockedAt(now)) {
            passwords.matches(password, dummyHash);
            audit.denied(tenant, "user:" + user.id(), "login.failed", null, user.isDisabled() ? "disabled" : "locked");
            throw failed();
        }
        if (!passwords.matches(password, user.passwordHash())) {
            User failedUser = user.failedAttempt(now, maxAttempts, lockout);
            users.recordFailure(failedUser);
            audit.denied(tenant, "user:" + user.id(), "login.failed", null,
                    failedUser.isLockedAt(now) ? "wrong password; locked until " + failedUser.lockedUntil()
                            : "wrong password");
            throw failed();
        }
        String hash = passwords.upgradeEncoding(user.passwordHash()) ? passwords.encode(password) : user.passwordHash();
        users.recordSuccess(user, hash);
        audit.success(tenant, "user:" + user.id(), "login.succeeded", null, null);
        return session(user, UUID.randomUUID(), now);
    }

    /** Trades a refresh token for a new pair; a token presented twice revokes its whole family. */
    public Session refresh(String token) {
        Instant now = clock.instant();
        RefreshTokens.Stored stored = refreshTokens.find(token).orElseThrow(Logins::refreshFailed);
        if (stored.revokedAt() != null || !now.isBefore(stored.expiresAt())) {
            throw refreshFailed();
        }
        if (stored.usedAt() != null || !refreshTokens.use(stored, now)) {
            refreshTokens.revokeFamily(stored.familyId(), now);
            audit.denied(stored.tenant(), "user:" + stored.userId(), "refresh.reused", null,
                    "a refresh token was used twice; its session is revoked");
            throw refreshFailed();
        }
        User user = users.byId(stored.userId()).filter(candidate -> !candidate.isDisabled())
            .orElseThrow(Logins::refreshFailed);
        return session(user, stored.familyId(), now);
    }

    /** Ends the session the refresh token belongs to; unknown tokens are ignored so logout is idempotent. */
    public void logout(String token) {
        refreshTokens.find(token).ifPresent(stored -> {
            refreshTokens.revokeFamily(stored.familyId(), clock.instant());
            audit.success(stored.tenant(), "user:" + stored.userId(), "logout", null, null);
        });
    }

    private Session session(User user, UUID family, Instant now) {
        AccessTokens.Issued access = accessTokens.issue(user);
        String refresh = refreshTokens.issue(family, user, now, now.plus(refreshTtl));
        return new Session(access.token(), "Bearer", Duration.between(now, access.expiresAt()).toSeconds(), refresh);
    }

    private static DomainProblem failed() {
        return new DomainProblem(LOGIN_FAILED, "The tenant, email or password is wrong, or the account is locked");
    }

    private static DomainProblem refreshFailed() {
        return new DomainProblem(REFRESH_FAILED, "The refresh token is invalid, expired or revoked; log in again");
    }
}
