package io.retinue.gateway.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.Role;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;

/** The gateway's users ({@code gateway.user_account}). Emails are compared in lower case. */
@Repository
class Users {

    private static final String COLUMNS = """
            id, tenant_id, email, display_name, password_hash, role, failed_attempts, locked_until, created_at,
            disabled_at""";

    private final JdbcClient jdbc;

    Users(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<User> byEmail(TenantId tenant, String email) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM gateway.user_account WHERE tenant_id = :tenant AND email = :email")
            .param("tenant", tenant.value())
            .param("email", email.toLowerCase(Locale.ROOT))
            .query(Users::user)
            .optional();
    }

    Optional<User> byId(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM gateway.user_account WHERE id = :id")
            .param("id", id)
            .query(Users::user)
            .optional();
    }

    List<User> all(TenantId tenant) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM gateway.user_account WHERE tenant_id = :tenant ORDER BY email")
            .param("tenant", tenant.value())
            .query(Users::user)
            .list();
    }

    void add(User user) {
        jdbc.sql("""
                INSERT INTO gateway.user_account (id, tenant_id, email, display_name, password_hash, role,
                    failed_attempts, created_at)
                VALUES (:id, :tenant, :email, :name, :hash, :role, 0, :at)""")
            .param("id", user.id())
            .param("tenant", user.tenant().value())
            .param("email", user.email().toLowerCase(Locale.ROOT))
            .param("name", user.displayName())
            .param("hash", user.passwordHash())
            .param("role", user.role().wire())
            .param("at", Timestamps.of(user.createdAt()))
            .update();
    }

    void recordFailure(User user) {
        jdbc.sql("UPDATE gateway.user_account SET failed_attempts = :failures, locked_until = :locked WHERE id = :id")
            .param("failures", user.failedAttempts())
            .param("locked", Timestamps.of(user.lockedUntil()))
            .param("id", user.id())
            .update();
    }

    void recordSuccess(User user, String rehashed) {
        jdbc.sql("""
                UPDATE gateway.user_account SET failed_attempts = 0, locked_until = NULL, password_hash = :hash
                WHERE id = :id""")
            .param("hash", rehashed)
            .param("id", user.id())
            .update();
    }

    void changeRole(User user, Role role) {
        jdbc.sql("UPDATE gateway.user_account SET role = :role WHERE id = :id")
            .param("role", role.wire())
            .param("id", user.id())
            .update();
    }

    void disable(User user, Instant now) {
        jdbc.sql("UPDATE gateway.user_account SET disabled_at = :now WHERE id = :id AND disabled_at IS NULL")
            .param("now", Timestamps.of(now))
            .param("id", user.id())
            .update();
    }



    private static User user(ResultSet rs, int row) throws SQLException {
        return new User(rs.getObject("id", UUID.class), new TenantId(rs.getString("tenant_id")), rs.getString("email"),
                rs.getString("display_name"), rs.getString("password_hash"),
                Role.valueOf(rs.getString("role").toUpperCase(Locale.ROOT)), rs.getInt("failed_attempts"),
                Timestamps.read(rs, "locked_until"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "disabled_at"));
    }
}
