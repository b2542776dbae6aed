package io.retinue.gateway.remote;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.gateway.KeyAuthenticationContract;
import io.retinue.testing.Loopback;

/**
 * The gateway's {@link KeyAuthentication} as a process without the gateway module sees it:
 * {@link HttpKeyAuthentication} calling this platform's internal endpoint over HTTP, held to the same contract as the
 * in-process one.
 */
class HttpKeyAuthenticationIT extends KeyAuthenticationContract {

    @Autowired
    ApplicationContext platform;

    private KeyAuthentication keys;

    @BeforeEach
    void overHttp() {
        keys = new HttpKeyAuthentication(Loopback.clients(platform, port, "gateway"));
    }

    @Override
    protected KeyAuthentication keys() {
        return keys;
    }
}
