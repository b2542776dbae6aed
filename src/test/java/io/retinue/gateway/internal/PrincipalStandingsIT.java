package io.retinue.gateway.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.gateway.Principals;
import io.retinue.gateway.PrincipalsContract;

/**
 * The gateway's own {@link Principals} in-process; {@code HttpPrincipalsIT} holds the remote one to the same contract.
 */
class PrincipalStandingsIT extends PrincipalsContract {

    @Autowired
    Principals principals;

    @Override
    protected Principals principals() {
        return principals;
    }
}
