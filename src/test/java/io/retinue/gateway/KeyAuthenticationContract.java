package io.retinue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.retinue.shared.Caller;
import io.retinue.shared.Role;
import io.retinue.shared.TenantId;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

/**
 * What every {@link KeyAuthentication} must do, in-process or remote: a valid key is its caller — tenant, key
 * principal, effective scopes, agent restriction — and a revoked, expired, unknown, wrongly guessed or malformed key
 * is nobody. Keys are issued through the public API, as their owners would.
 */
public abstract class KeyAuthenticationContract extends PlatformIT {

    protected abstract KeyAuthentication keys();

    @Test
    void aValidKeyIsItsCallerWithItsScopes() {
        TestTenant tenant = newTenant(api, "ka");
        JsonNode restricted = tenant.owner().post("/api/v1/api-keys", Map.of("name", "ci", "scopes",
                List.of("agents:read", "runs:execute"), "agents", List.of("helper"))).expect(201).json();
        assertThat(keys().authenticate(restricted.get("secret").asString())).contains(new Caller(
                new TenantId(tenant.id()), "key:" + restricted.at("/key/id").asString(),
                Set.of("agents:read", "runs:execute"), Set.of("helper")));

        JsonNode admin = tenant.owner().post("/api/v1/api-keys", Map.of("name", "ops", "role", "admin"))
            .expect(201).json();
        assertThat(keys().authenticate(admin.get("secret").asString())).as("admin expanded to every scope")
            .contains(new Caller(new TenantId(tenant.id()), "key:" + admin.at("/key/id").asString(),
                    Role.ADMIN.scopes()));
    }

    @Test
    void revokedAndExpiredKeysAreNobody() {
        TestTenant tenant = newTenant(api, "kr");
        JsonNode revoked = tenant.owner().post("/api/v1/api-keys", Map.of("name", "gone", "scopes",
                List.of("agents:read"))).expect(201).json();
        tenant.owner().delete("/api/v1/api-keys/" + revoked.at("/key/id").asString()).expect(204);
        assertThat(keys().authenticate(revoked.get("secret").asString())).isEmpty();

        JsonNode expired = tenant.owner().post("/api/v1/api-keys", Map.of("name", "old", "scopes",
                List.of("agents:read"))).expect(201).json();
        tenant.owner().post("/api/v1/api-keys/" + expired.at("/key/id").asString() + "/rotate",
                Map.of("overlapSeconds", 0)).expect(201);
        assertThat(keys().authenticate(expired.get("secret").asString())).isEmpty();
    }

    @Test
    void unknownGuessedAndMalformedKeysAreNobody() {
        assertThat(keys().authenticate("rtn_Unknown00000_abcdefghijklmnopqrstuvwxyz012345")).isEmpty();
        assertThat(keys().authenticate(ADMIN_KEY.substring(0, ADMIN_KEY.length() - 6) + "000000"))
            .as("the admin key's id with a wrong secret").isEmpty();
        assertThat(keys().authenticate("not-a-key")).isEmpty();
        assertThat(keys().authenticate("")).isEmpty();
        assertThat(keys().authenticate(null)).isEmpty();
        assertThat(keys().authenticate(ADMIN_KEY)).hasValueSatisfying(
                caller -> assertThat(caller.tenant()).isEqualTo(TenantId.DEFAULT));
    }
}
