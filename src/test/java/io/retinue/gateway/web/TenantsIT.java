package io.retinue.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

/** A tenant's creation names where it can be read, and it can be read there — by the installation's admin only. */
class TenantsIT extends PlatformIT {

    @Test
    void theLocationOfACreatedTenantAnswers() {
        String id = "loc" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Api.Reply created = api.post("/api/v1/tenants", Map.of("id", id, "name", "Located")).expect(201);
        String location = created.header("Location").orElseThrow();

        JsonNode tenant = api.get(location).expect(200).json();
        assertThat(tenant.get("id").asString()).isEqualTo(id);
        assertThat(tenant.get("name").asString()).isEqualTo("Located");
        assertThat(tenant.get("createdAt").asString()).isNotBlank();

        assertThat(api.get("/api/v1/tenants/nope-" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/tenants/NOT_AN_ID").status()).isEqualTo(404);
        Api owner = api.as(created.json().at("/ownerKey/secret").asString());
        assertThat(owner.get(location).status()).as("a tenant's owner is no admin of the installation").isEqualTo(403);
    }
}
