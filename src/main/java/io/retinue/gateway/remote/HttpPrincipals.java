package io.retinue.gateway.remote;

import org.springframework.stereotype.Component;

import io.retinue.gateway.PrincipalStanding;
import io.retinue.gateway.Principals;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/** {@link Principals} where the gateway runs in another process: its {@link PrincipalsEndpoint}. */
@Component
@ConditionalOnModule(value = "gateway", runsHere = false)
public class HttpPrincipals implements Principals {

    private final ModuleClient gateway;

    public HttpPrincipals(ModuleClients clients) {
        this.gateway = clients.of("gateway");
    }

    @Override
    public PrincipalStanding standing(Caller asMade) {
        return gateway.query(gateway.actingFor(asMade.tenant()),
                uri -> uri.path("/internal/v1/gateway/principals/standing").build(), asMade, PrincipalStanding.class)
            .orElseThrow(() -> new IllegalStateException("the gateway answered no standing for " + asMade.principalId()));
    }
}
