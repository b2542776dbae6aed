package io.retinue.tools.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.TenantId;
import io.retinue.tools.Credentials;
import io.retinue.shared.Timestamps;
import io.retinue.shared.crypto.SecretBox;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tenant's credentials for tools, sealed with the master key. Write-only over the API: only names, kinds and dates
 * are ever shown; values are opened only to inject them into a call.
 */
@Repository
public class CredentialStore implements Credentials {

    /** A credential as listed: never its value. */
    @Schema(description = "A credential as listed: never its value")
    public record CredentialView(String name, String kind, Instant createdAt, Instant updatedAt) {
    }

    private static final java.util.Set<String> SINGLE_VALUE_KINDS = java.util.Set.of("api_key", "bearer");

    private final JdbcClient jdbc;
    private final SecretBox box;
    private final JsonMapper json;
    private final Clock clock;

    CredentialStore(JdbcClient jdbc, SecretBox box, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.box = box;
        this.json = json;
        this.clock = clock;
    }

    /** Stores or replaces a credential; {@code fields} are e.g. {@code value}, or {@code username}/{@code password}. */
    public CredentialView put(TenantId tenant, String name, String kind, Map<String, String> fields) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String sealed = box.seal(json.writeValueAsString(fields));
        int updated = jdbc.sql("""
                UPDATE tools.credential SET kind = :kind, sealed = :sealed, updated_at = :now
                WHERE tenant_id = :tenant AND name = :name""")
            .param("kind", kind)
            .param("sealed", sealed)
            .param("now", Timestamps.of(now))
            .param("tenant", tenant.value())
            .param("name", name)
            .update();
        if (updated == 0) {
            jdbc.sql("""
                    INSERT INTO tools.credential (tenant_id, name, kind, sealed, created_at, updated_at)
                    VALUES (:tenant, :name, :kind, :sealed, :now, :now)""")
                .param("tenant", tenant.value())
                .param("name", name)
                .param("kind", kind)
                .param("sealed", sealed)
                .param("now", Timestamps.of(now))
                .update();
        }
        return list(tenant).stream().filter(view -> view.name().equals(name)).findFirst().orElseThrow();
    }

    public List<CredentialView> list(TenantId tenant) {
        return jdbc.sql("SELECT name, kind, created_at, updated_at FROM tools.credential WHERE tenant_id = :tenant"
                + " ORDER BY name")
            .param("tenant", tenant.value())
            .query((rs, n) -> new CredentialView(rs.getString("name"), rs.getString("kind"),
                    Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at")))
            .list();
    }

    public boolean delete(TenantId tenant, String name) {
        return jdbc.sql("DELETE FROM tools.credential WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .update() == 1;
    }

    @Override
    public Optional<String> secret(TenantId tenant, String name) {
        return jdbc.sql("SELECT kind, sealed FROM tools.credential WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .query((rs, n) -> new String[] { rs.getString("kind"), rs.getString("sealed") })
            .optional()
            .filter(row -> SINGLE_VALUE_KINDS.contains(row[0]))
            .map(row -> json.readTree(box.open(row[1])).path("value").asString(null));
    }

    /** The fields of a credential, opened for one call. */
    Optional<JsonNode> open(TenantId tenant, String name) {
        return jdbc.sql("SELECT sealed FROM tools.credential WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .query(String.class)
            .optional()
            .map(sealed -> json.readTree(box.open(sealed)));
    }
}
