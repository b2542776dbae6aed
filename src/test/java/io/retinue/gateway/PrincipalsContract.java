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
 * What every {@link Principals} must do, in-process or remote: a principal recorded earlier stands with its current
 * scopes while its key works or its user is enabled, and has lapsed — saying why — once the key is revoked, expired
 * or gone or the user disabled. Principals are changed through the public API, as their owners would.
 */
public abstract class PrincipalsContract extends PlatformIT {

    private static final String PASSWORD = "correct horse battery staple";

    protected abstract Principals principals();

    @Test
    void aWorkingKeyStandsWithItsCurrentScopes() {
        TestTenant tenant = newTenant(api, "pk");
        JsonNode key = tenant.owner().post("/api/v1/api-keys", Map.of("name", "maker", "scopes",
                List.of("agents:read", "runs:execute"), "agents", List.of("helper"))).expect(201).json();
        String principal = "key:" + key.at("/key/id").asString();
        TenantId id = new TenantId(tenant.id());
        Caller asMade = new Caller(id, principal, Set.of("runs:execute"));
        assertThat(principals().standing(asMade)).isEqualTo(new PrincipalStanding.Current(
                new Caller(id, principal, Set.of("agents:read", "runs:execute"), Set.of("helper"))));
    }

    @Test
    void aRevokedExpiredOrUnknownKeyHasLapsed() {
        TestTenant tenant = newTenant(api, "pl");
        TenantId id = new TenantId(tenant.id());
        String revoked = issue(tenant);
        tenant.owner().delete("/api/v1/api-keys/" + revoked).expect(204);
        assertThat(principals().standing(new Caller(id, "key:" + revoked, Set.of("runs:execute"))))
            .isEqualTo(new PrincipalStanding.Lapsed("the API key " + revoked + " was revoked"));

        String expired = issue(tenant);
        tenant.owner().post("/api/v1/api-keys/" + expired + "/rotate", Map.of("overlapSeconds", 0)).expect(201);
        assertThat(principals().standing(new Caller(id, "key:" + expired, Set.of("runs:execute"))))
            .isEqualTo(new PrincipalStanding.Lapsed("the API key " + expired + " expired"));

        assertThat(principals().standing(new Caller(id, "key:Unknown00000", Set.of())))
            .isEqualTo(new PrincipalStanding.Lapsed("the API key Unknown00000 no longer exists"));
        String elsewhere = issue(newTenant(api, "po"));
        assertThat(principals().standing(new Caller(id, "key:" + elsewhere, Set.of())))
            .as("another tenant's key is none of this one's")
            .isEqualTo(new PrincipalStanding.Lapsed("the API key " + elsewhere + " no longer exists"));
    }

    @Test
    void aUserStandsWithTheirRoleUntilDisabled() {
        TestTenant tenant = newTenant(api, "pu");
        TenantId id = new TenantId(tenant.id());
        String user = tenant.owner().post("/api/v1/users", Map.of("email", tenant.id() + "@example.com", "password",
                PASSWORD, "role", "developer")).expect(201).json().get("id").asString();
        Caller asMade = new Caller(id, "user:" + user, Role.DEVELOPER.scopes());
        assertThat(principals().standing(asMade)).isEqualTo(new PrincipalStanding.Current(asMade));

        tenant.owner().patch("/api/v1/users/" + user, Map.of("role", "viewer")).expect(200);
        assertThat(principals().standing(asMade)).as("a changed role takes effect")
            .isEqualTo(new PrincipalStanding.Current(new Caller(id, "user:" + user, Role.VIEWER.scopes())));

        tenant.owner().delete("/api/v1/users/" + user).expect(204);
        assertThat(principals().standing(asMade))
            .isEqualTo(new PrincipalStanding.Lapsed("the user " + user + " was disabled"));
        assertThat(principals().standing(new Caller(id, "user:not-a-uuid", Set.of())))
            .isEqualTo(new PrincipalStanding.Lapsed("the user not-a-uuid no longer exists"));
    }

    @Test
    void anExternalIdentityStandsAsItWasRecorded() {
        TenantId id = new TenantId(newTenant(api, "px").id());
        Caller asMade = new Caller(id, "oidc:ada-subject", Set.of("runs:execute"), Set.of("helper"));
        assertThat(principals().standing(asMade)).isEqualTo(new PrincipalStanding.Current(asMade));
    }

    private static String issue(TestTenant tenant) {
        return tenant.owner().post("/api/v1/api-keys", Map.of("name", "maker", "scopes", List.of("runs:execute")))
            .expect(201).json().at("/key/id").asString();
    }
}
