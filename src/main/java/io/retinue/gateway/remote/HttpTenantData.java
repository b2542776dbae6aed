package io.retinue.gateway.remote;

import java.time.Duration;

import io.retinue.gateway.TenantData;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ModuleClient;

/**
 * {@link TenantData} of a module another process runs: its {@link TenantDataEndpoint}, asked as the gateway itself
 * confined to the tenant. Every step is safe to repeat, but none is retried here: the removal decides what a step
 * that could not be asked means (suspending: given up and undone; erasing: asked again later).
 */
final class HttpTenantData implements TenantData {

    /** Erasing a large tenant takes a while: the time its service is given, besides the usual timeout. */
    private static final Duration ERASING = Duration.ofSeconds(60);

    private final String module;
    private final ModuleClient service;

    HttpTenantData(String module, ModuleClient service) {
        this.module = module;
        this.service = service;
    }

    @Override
    public String module() {
        return module;
    }

    @Override
    public void suspend(TenantId tenant) {
        step(tenant, "suspend", Duration.ZERO);
    }

    @Override
    public void resume(TenantId tenant) {
        step(tenant, "resume", Duration.ZERO);
    }

    @Override
    public boolean erase(TenantId tenant) {
        return step(tenant, "erase", ERASING);
    }

    private boolean step(TenantId tenant, String step, Duration time) {
        return service.post(service.actingFor(tenant), uri -> uri.path("/internal/v1/{module}/tenant/{step}")
            .build(module, step), "", TenantDataEndpoint.Done.class, time)
            .map(TenantDataEndpoint.Done::done)
            .orElse(true);
    }
}
