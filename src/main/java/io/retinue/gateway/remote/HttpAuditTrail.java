package io.retinue.gateway.remote;

import java.time.Duration;

import org.springframework.stereotype.Component;

import io.retinue.gateway.AuditTrail;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/**
 * {@link AuditTrail} where the gateway runs in another process: its {@link AuditTrailEndpoint}, as writes never
 * retried (an entry recorded twice would say a refusal or a change happened twice).
 */
@Component
@ConditionalOnModule(value = "gateway", runsHere = false)
public class HttpAuditTrail implements AuditTrail {

    private final ModuleClient gateway;

    public HttpAuditTrail(ModuleClients clients) {
        this.gateway = clients.of("gateway");
    }

    @Override
    public void denied(TenantId tenant, String actor, String action, String target, String detail) {
        gateway.post(gateway.actingFor(tenant), uri -> uri.path("/internal/v1/gateway/audit/denials").build(),
                new AuditTrailEndpoint.Entry(actor, action, target, detail), Void.class, Duration.ZERO);
    }

    @Override
    public void changed(TenantId tenant, String actor, String action, String target, String detail) {
        gateway.post(gateway.actingFor(tenant), uri -> uri.path("/internal/v1/gateway/audit/changes").build(),
                new AuditTrailEndpoint.Entry(actor, action, target, detail), Void.class, Duration.ZERO);
    }
}
