package io.retinue.tools.remote;

import java.util.Optional;

import org.springframework.stereotype.Component;

import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;
import io.retinue.tools.Credentials;

/**
 * {@link Credentials} where the tools module runs in another process: its {@link CredentialsEndpoint}, as the caller
 * of the current request when it belongs to the tenant, else as this process confined to the tenant.
 */
@Component
@ConditionalOnModule(value = "tools", runsHere = false)
public class HttpCredentials implements Credentials {

    private final ModuleClient tools;

    public HttpCredentials(ModuleClients clients) {
        this.tools = clients.of("tools");
    }

    @Override
    public Optional<String> secret(TenantId tenant, String name) {
        return tools.get(tools.actingFor(tenant),
                uri -> uri.path("/internal/v1/tools/credentials/secret").queryParam("name", "{name}").build(name),
                CredentialsEndpoint.Secret.class)
            .map(CredentialsEndpoint.Secret::value);
    }
}
