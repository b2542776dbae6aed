package io.retinue.gateway.remote;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.gateway.AuditTrail;
import io.retinue.gateway.AuditTrailContract;
import io.retinue.testing.Loopback;

/**
 * The gateway's {@link AuditTrail} as a process without the gateway module sees it:
 * {@link HttpAuditTrail} calling this platform's internal endpoint over HTTP, held to the same contract as the
 * in-process one.
 */
class HttpAuditTrailIT extends AuditTrailContract {

    @Autowired
    ApplicationContext platform;

    private AuditTrail trail;

    @BeforeEach
    void overHttp() {
        trail = new HttpAuditTrail(Loopback.clients(platform, port, "gateway"));
    }

    @Override
    protected AuditTrail trail() {
        return trail;
    }
}
