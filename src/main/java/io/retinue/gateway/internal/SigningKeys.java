package io.retinue.gateway.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import io.retinue.shared.crypto.SecretBox;

/**
 * The RSA keys that sign Retinue's own JWTs ({@code gateway.signing_key}, private parts sealed with the master key).
 * The newest key signs; every key not yet retired verifies and is published as a JWK set. Keys rotate on a schedule
 * (or on demand); a replaced key retires only after the longest-lived token it signed has expired. Instances pick up
 * each other's rotations by reloading when a token names an unknown key id.
 */
@Component
public class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(1);

    private record Loaded(List<RSAKey> keys, long loadedNanos) {
    }

    private final JdbcClient jdbc;
    private final SecretBox box;
    private final Clock clock;
    private final Duration rotation;
    private final Duration retention;
    private volatile Loaded loaded;

    SigningKeys(JdbcClient jdbc, SecretBox box, Clock clock,
            @Value("${retinue.auth.signing-key-rotation:30d}") Duration rotation,
            @Value("${retinue.auth.access-token-ttl:15m}") Duration accessTokenTtl) {
        this.jdbc = jdbc;
        this.box = box;
        this.clock = clock;
        this.rotation = rotation;
        this.retention = accessTokenTtl.plus(Duration.ofMinutes(5));
    }

    /** The key that signs new tokens, made on first use. */
    RSAKey current() {
        List<RSAKey> keys = keys(Freshness.CACHED);
        if (keys.isEmpty()) {
            rotate();
            keys = keys(Freshness.NOW);
        }
        return keys.getFirst();
    }

    /** Source of the signing key, for the JWT encoder. */
    JWKSource<SecurityContext> signing() {
        return (selector, context) -> selector.select(new JWKSet(current()));
    }

    /** Source of every verifying key, reloading once when a token names a key id this instance has not seen. */
    JWKSource<SecurityContext> verifying() {
        return (selector, context) -> {
            List<JWK> found = selector.select(publicSet(keys(Freshness.CACHED)));
            return found.isEmpty() ? selector.select(publicSet(keys(Freshness.THROTTLED))) : found;
        };
    }

    /** The published JWK set: public parts of every key not yet retired. */
    public JWKSet published() {
        return publicSet(keys(Freshness.CACHED));
    }

    /** Makes a new signing key; the previous ones retire once every token they signed has expired. */
    public synchronized String rotate() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE).generate();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException("Cannot generate an RSA signing key", ex);
        }
        jdbc.sql("UPDATE gateway.signing_key SET retire_at = :retire WHERE retire_at IS NULL")
            .param("retire", now.plus(retention).atOffset(ZoneOffset.UTC))
            .update();
        jdbc.sql("""
                INSERT INTO gateway.signing_key (kid, public_jwk, private_jwk, created_at)
                VALUES (:kid, :public, :private, :at)""")
            .param("kid", key.getKeyID())
            .param("public", key.toPublicJWK().toJSONString())
            .param("private", box.seal(key.toJSONString()))
            .param("at", now.atOffset(ZoneOffset.UTC))
            .update();
        keys(Freshness.NOW);
        log.info("New JWT signing key {}", key.getKeyID());
        return key.getKeyID();
    }

    @Scheduled(fixedDelayString = "${retinue.auth.signing-key-check:1h}", initialDelayString = "1m")
    void rotateWhenDue() {
        List<RSAKey> keys = keys(Freshness.NOW);
        OffsetDateTime newest = jdbc.sql("SELECT MAX(created_at) FROM gateway.signing_key")
            .query(OffsetDateTime.class)
            .optional()
            .orElse(null);
        if (!keys.isEmpty() && newest != null && newest.toInstant().plus(rotation).isBefore(clock.instant())) {
            rotate();
        }
    }

    /** How fresh the key list must be: as cached (at most a minute old), reloaded unless just reloaded, or now. */
    private enum Freshness {
        CACHED, THROTTLED, NOW
    }

    private List<RSAKey> keys(Freshness freshness) {
        Loaded current = loaded;
        long age = current == null ? Long.MAX_VALUE : System.nanoTime() - current.loadedNanos();
        if (freshness == Freshness.NOW || age > Duration.ofMinutes(1).toNanos()
                || (freshness == Freshness.THROTTLED && age > RELOAD_AT_MOST_EVERY.toNanos())) {
            List<RSAKey> keys = jdbc.sql("""
                    SELECT private_jwk FROM gateway.signing_key
                    WHERE retire_at IS NULL OR retire_at > :now ORDER BY created_at DESC""")
                .param("now", clock.instant().atOffset(ZoneOffset.UTC))
                .query(String.class)
                .list()
                .stream()
                .map(this::parse)
                .toList();
            current = new Loaded(keys, System.nanoTime());
            loaded = current;
        }
        return current.keys();
    }

    private RSAKey parse(String sealed) {
        try {
            return RSAKey.parse(box.open(sealed));
        }
        catch (ParseException ex) {
            throw new IllegalStateException("A stored signing key is not a valid JWK", ex);
        }
    }

    private static JWKSet publicSet(List<RSAKey> keys) {
        return new JWKSet(keys.stream().<JWK>map(RSAKey::toPublicJWK).toList());
    }
}
