package io.retinue.runtime.internal.providers;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.TenantProviders;
import io.retinue.agents.TenantProvidersContract;

/**
 * The runtime's {@link TenantProviders} in-process; {@code HttpTenantProvidersIT} holds the remote one to the same
 * contract.
 */
class ProviderConnectionsIT extends TenantProvidersContract {

    @Autowired
    TenantProviders providers;

    @Override
    protected TenantProviders providers() {
        return providers;
    }
}
