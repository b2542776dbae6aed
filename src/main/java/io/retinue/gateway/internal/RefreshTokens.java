package io.retinue.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.TenantId;

/**
 * Refresh tokens ({@code gateway.refresh_token}): opaque {@code rtr_…} strings of which only a digest is stored. Each
 * is good for one use; using one yields the next token of its family. A token used twice means it leaked, and the
 * whole family is revoked.
 */
@Repository
class RefreshTokens {

    /** A stored refresh token. */
    record Stored(UUID id, UUID familyId, UUID userId, TenantId tenant, Instant expiresAt, Instant usedAt,
            Instant revokedAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;

    RefreshTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new token of the family and returns its secret form. */
    String issue(UUID familyId, User user, Instant now, Instant expiresAt) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "rtr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        jdbc.sql("""
                INSERT INTO gateway.refresh_token (id, family_id, user_id, tenant_id, token_digest, issued_at,
                    expires_at)
                VALUES (:id, :family, :user, :tenant, :digest, :at, :expires)""")
            .param("id", UUID.randomUUID())
            .param("family", familyId)
            .param("user", user.id())
            .param("tenant", user.tenant().value())
            .param("digest", digest(token))
            .param("at", now.atOffset(ZoneOffset.UTC))
            .param("expires", expiresAt.atOffset(ZoneOffset.UTC))
            .update();
        return token;
    }

    Optional<Stored> find(String token) {
        return jdbc.sql("""
                SELECT id, family_id, user_id, tenant_id, expires_at, used_at, revoked_at
                FROM gateway.refresh_token WHERE token_digest = :digest""")
            .param("digest", digest(token))
            .query((rs, n) -> new Stored(rs.getObject("id", UUID.class), rs.getObject("family_id", UUID.class),
                    rs.getObject("user_id", UUID.class), new TenantId(rs.getString("tenant_id")),
                    rs.getObject("expires_at", OffsetDateTime.class).toInstant(),
                    Optional.ofNullable(rs.getObject("used_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant).orElse(null),
                    Optional.ofNullable(rs.getObject("revoked_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant).orElse(null)))
            .optional();
    }

    /** Marks a token used; false when another request used it first. */
    boolean use(Stored token, Instant now) {
        return jdbc.sql("UPDATE gateway.refresh_token SET used_at = :now WHERE id = :id AND used_at IS NULL")
            .param("now", now.atOffset(ZoneOffset.UTC))
            .param("id", token.id())
            .update() == 1;
    }

    void revokeFamily(UUID familyId, Instant now) {
        jdbc.sql("UPDATE gateway.refresh_token SET revoked_at = :now WHERE family_id = :family AND revoked_at IS NULL")
            .param("now", now.atOffset(ZoneOffset.UTC))
            .param("family", familyId)
            .update();
    }

    void revokeAllOf(UUID userId, Instant now) {
        jdbc.sql("UPDATE gateway.refresh_token SET revoked_at = :now WHERE user_id = :user AND revoked_at IS NULL")
            .param("now", now.atOffset(ZoneOffset.UTC))
            .param("user", userId)
            .update();
    }

    private static String digest(String token) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
        }
    }
}
