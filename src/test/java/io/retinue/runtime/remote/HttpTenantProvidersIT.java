package io.retinue.runtime.remote;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.agents.TenantProviders;
import io.retinue.agents.TenantProvidersContract;
import io.retinue.testing.Loopback;

/**
 * The runtime's {@link TenantProviders} as a process without the runtime module sees it:
 * {@link HttpTenantProviders} calling this platform's internal endpoint over HTTP, held to the same contract as the
 * in-process one.
 */
class HttpTenantProvidersIT extends TenantProvidersContract {

    @Autowired
    ApplicationContext platform;

    private TenantProviders providers;

    @BeforeEach
    void overHttp() {
        providers = new HttpTenantProviders(Loopback.clients(platform, port, "runtime"));
    }

    @Override
    protected TenantProviders providers() {
        return providers;
    }
}
