package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Role;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;

/** A tenant's users: added with a role, re-roled, disabled. Nobody can hand out a role stronger than their own. */
@Service
public class UserDirectory {

    static final ProblemType EMAIL_TAKEN = ProblemType.of("gateway/email-taken", HttpStatus.CONFLICT,
            "Email already in use");
    static final int MIN_PASSWORD = 12;

    /** A user as shown to managers: never the password hash. */
    @Schema(description = "A user as shown to managers: never the password hash")
    public record UserView(UUID id, String email, String displayName, String role, boolean locked, boolean disabled,
            Instant createdAt) {
    }

    private final Users users;
    private final RefreshTokens refreshTokens;
    private final PasswordEncoder passwords;
    private final AuditLog audit;
    private final Clock clock;

    UserDirectory(Users users, RefreshTokens refreshTokens, PasswordEncoder passwords, AuditLog audit, Clock clock) {
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.passwords = passwords;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public UserView add(Caller caller, String email, String displayName, String password, Role role) {
        mayGrant(caller, role);
        if (password == null || password.length() < MIN_PASSWORD || password.length() > 1000) {
            throw DomainProblem.invalid(List.of(new Violation("/password",
                    "must be " + MIN_PASSWORD + " to 1000 characters")));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        User user = new User(UUID.randomUUID(), caller.tenant(), email, displayName, passwords.encode(password), role,
                0, null, now, null);
        if (users.byEmail(caller.tenant(), email).isPresent()) {
            throw emailTaken(email);
        }
        try {
            users.add(user);
        }
        catch (DuplicateKeyException race) {
            throw emailTaken(email);
        }
        audit.success(caller.tenant(), caller.principalId(), "user.created", "user:" + user.id(), "role=" + role.wire());
        return view(user, now);
    }

    @Transactional(readOnly = true)
    public List<UserView> list(Caller caller) {
        Instant now = clock.instant();
        return users.all(caller.tenant()).stream().map(user -> view(user, now)).toList();
    }

    @Transactional
    public UserView changeRole(Caller caller, UUID id, Role role) {
        User user = load(caller, id);
        mayGrant(caller, role);
        mayGrant(caller, user.role());
        users.changeRole(user, role);
        audit.success(caller.tenant(), caller.principalId(), "user.role_changed", "user:" + id,
                user.role().wire() + " -> " + role.wire());
        return view(load(caller, id), clock.instant());
    }

    /** Disables a user: no more logins or refreshes; access tokens already issued run out within their lifetime. */
    @Transactional
    public void disable(Caller caller, UUID id) {
        User user = load(caller, id);
        mayGrant(caller, user.role());
        Instant now = clock.instant();
        users.disable(user, now);
        refreshTokens.revokeAllOf(user.id(), now);
        audit.success(caller.tenant(), caller.principalId(), "user.disabled", "user:" + id, null);
    }

    private User load(Caller caller, UUID id) {
        return users.byId(id)
            .filter(user -> user.tenant().equals(caller.tenant()))
            .orElseThrow(() -> DomainProblem.notFound("User '" + id + "'"));
    }

    private void mayGrant(Caller caller, Role role) {
        Set<String> beyond = new TreeSet<>(role.scopes());
        beyond.removeAll(caller.scopes());
        if (!beyond.isEmpty()) {
            audit.denied(caller.tenant(), caller.principalId(), "user.role_grant", null, "escalation " + beyond);
            throw new DomainProblem(KeyRing.SCOPE_ESCALATION, "The role " + role.wire() + " holds scopes the caller lacks: "
                    + beyond, List.of(new Violation("/role", "exceeds the caller's scopes")), Map.of());
        }
    }

    private static DomainProblem emailTaken(String email) {
        return new DomainProblem(EMAIL_TAKEN, "A user with email '" + email + "' exists in this tenant",
                List.of(new Violation("/email", "is already in use")), Map.of());
    }

    private static UserView view(User user, Instant now) {
        return new UserView(user.id(), user.email(), user.displayName(), user.role().wire(), user.isLockedAt(now),
                user.isDisabled(), user.createdAt());
    }
}
