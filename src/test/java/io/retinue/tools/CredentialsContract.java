package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.retinue.shared.TenantId;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/**
 * What every {@link Credentials} must do, in-process or remote: open the secret of a tenant's single-value credential
 * (api_key, bearer) for that tenant, and nothing for another kind, an unknown name or another tenant.
 */
public abstract class CredentialsContract extends PlatformIT {

    protected abstract Credentials credentials();

    @Test
    void opensTheSecretOfASingleValueCredentialOfTheTenant() {
        TestTenant tenant = newTenant(api, "cs");
        String apiKey = "sk-" + UUID.randomUUID() + " ünïcode \"quoted\" \\ & = ?";
        String token = "tok-" + UUID.randomUUID();
        put(tenant.owner(), "provider-key", "api_key", Map.of("value", apiKey));
        put(tenant.owner(), "provider_token", "bearer", Map.of("value", token));
        TenantId id = new TenantId(tenant.id());

        assertThat(credentials().secret(id, "provider-key")).contains(apiKey);
        assertThat(credentials().secret(id, "provider_token")).contains(token);
    }

    @Test
    void opensNothingForAnotherKindAnUnknownNameOrAnotherTenant() {
        TestTenant tenant = newTenant(api, "cn");
        put(tenant.owner(), "provider-key", "api_key", Map.of("value", "sk-" + UUID.randomUUID()));
        put(tenant.owner(), "legacy", "basic", Map.of("username", "ada", "password", "pa55word"));
        TenantId id = new TenantId(tenant.id());
        TestTenant other = newTenant(api, "cn");

        assertThat(credentials().secret(id, "legacy")).as("not a single value").isEmpty();
        assertThat(credentials().secret(id, "no-such-credential")).isEmpty();
        assertThat(credentials().secret(id, "provider-key&name=legacy")).isEmpty();
        assertThat(credentials().secret(new TenantId(other.id()), "provider-key")).isEmpty();
    }

    private static void put(Api owner, String name, String kind, Map<String, String> fields) {
        Api.Reply stored = owner.put("/api/v1/credentials/" + name, Map.of("kind", kind, "fields", fields));
        assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
    }
}
