package io.retinue.gateway.remote;

import java.util.Optional;

import org.springframework.stereotype.Component;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/**
 * {@link KeyAuthentication} where the gateway runs in another process: its {@link KeyAuthenticationEndpoint}, asked
 * as this process itself (a key names no tenant the asker could act for before the gateway has read it).
 */
@Component
@ConditionalOnModule(value = "gateway", runsHere = false)
public class HttpKeyAuthentication implements KeyAuthentication {

    private final ModuleClient gateway;

    public HttpKeyAuthentication(ModuleClients clients) {
        this.gateway = clients.of("gateway");
    }

    @Override
    public Optional<Caller> authenticate(String apiKey) {
        if (apiKey == null) {
            return Optional.empty();
        }
        // A read with a body, retried: noting the key's last use again is harmless.
        return gateway.query(gateway.asProcess(), uri -> uri.path("/internal/v1/gateway/keys/authentication").build(),
                new KeyAuthenticationEndpoint.Presented(apiKey), Caller.class);
    }
}
