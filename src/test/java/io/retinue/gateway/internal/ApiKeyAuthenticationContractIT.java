package io.retinue.gateway.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.gateway.KeyAuthenticationContract;

/**
 * The gateway's own {@link KeyAuthentication} in-process; {@code HttpKeyAuthenticationIT} holds the remote one to the
 * same contract.
 */
class ApiKeyAuthenticationContractIT extends KeyAuthenticationContract {

    @Autowired
    KeyAuthentication keys;

    @Override
    protected KeyAuthentication keys() {
        return keys;
    }
}
