package io.retinue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.retinue.shared.TenantId;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

/**
 * What every {@link AuditTrail} must do, in-process or remote: a refusal or change another module records is in the
 * tenant's audit log, as the tenant's auditors query it, with who, what, which target, outcome ({@code denied},
 * {@code success}) and why — and in no other tenant's.
 */
public abstract class AuditTrailContract extends PlatformIT {

    protected abstract AuditTrail trail();

    @Test
    void aDenialIsRecordedInItsTenantsLog() {
        TestTenant tenant = newTenant(api, "au");
        String actor = "key:" + UUID.randomUUID().toString().substring(0, 12);
        String target = "schedule:" + UUID.randomUUID();
        trail().denied(new TenantId(tenant.id()), actor, "schedule.paused", target, "the API key was revoked");

        JsonNode items = tenant.owner().get("/api/v1/audit-events?action=schedule.paused&actor=" + actor).expect(200)
            .json().get("items");
        assertThat(items).hasSize(1);
        JsonNode entry = items.get(0);
        assertThat(entry.get("tenant").asString()).isEqualTo(tenant.id());
        assertThat(entry.get("actor").asString()).isEqualTo(actor);
        assertThat(entry.get("action").asString()).isEqualTo("schedule.paused");
        assertThat(entry.get("target").asString()).isEqualTo(target);
        assertThat(entry.get("outcome").asString()).isEqualTo("denied");
        assertThat(entry.get("detail").asString()).isEqualTo("the API key was revoked");
        assertThat(api.get("/api/v1/audit-events?actor=" + actor).expect(200).json().get("items"))
            .as("another tenant's log").isEmpty();
    }

    @Test
    void aChangeIsRecordedInItsTenantsLogAsASuccess() {
        TestTenant tenant = newTenant(api, "ac");
        String actor = "key:" + UUID.randomUUID().toString().substring(0, 12);
        trail().changed(new TenantId(tenant.id()), actor, "trace_settings.changed", "tenant:" + tenant.id(),
                "captureContent=true");

        JsonNode items = tenant.owner().get("/api/v1/audit-events?action=trace_settings.changed&actor=" + actor)
            .expect(200).json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("outcome").asString()).isEqualTo("success");
        assertThat(items.get(0).get("detail").asString()).isEqualTo("captureContent=true");
        assertThat(api.get("/api/v1/audit-events?actor=" + actor).expect(200).json().get("items"))
            .as("another tenant's log").isEmpty();
    }
}
