package io.retinue.gateway.remote;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.gateway.TenantData;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClients;

/** Where the gateway runs, the {@link TenantData} of each module keeping tenants' data that runs elsewhere. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnModule("gateway")
class RemoteTenantData {

    @Bean
    @ConditionalOnModule(value = "agents", runsHere = false)
    TenantData remoteAgentsTenantData(ModuleClients clients) {
        return new HttpTenantData("agents", clients.of("agents"));
    }

    @Bean
    @ConditionalOnModule(value = "runtime", runsHere = false)
    TenantData remoteRuntimeTenantData(ModuleClients clients) {
        return new HttpTenantData("runtime", clients.of("runtime"));
    }

    /** Analytics runs in the runtime's processes (see {@link io.retinue.shared.topology.Topology#HOSTED}). */
    @Bean
    @ConditionalOnModule(value = "runtime", runsHere = false)
    TenantData remoteAnalyticsTenantData(ModuleClients clients) {
        return new HttpTenantData("analytics", clients.of("runtime"));
    }

    @Bean
    @ConditionalOnModule(value = "tools", runsHere = false)
    TenantData remoteToolsTenantData(ModuleClients clients) {
        return new HttpTenantData("tools", clients.of("tools"));
    }
}
