package io.retinue.gateway.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.gateway.AuditTrail;
import io.retinue.gateway.AuditTrailContract;
import io.retinue.shared.TenantId;
import io.retinue.testing.Loopback;
import io.retinue.testing.TcpProxy;

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

    /**
     * A module call's body goes with its length, in one piece: chunked, the service reads on until the chunk that
     * ends it, which may come in a packet of its own.
     */
    @Test
    void aCallsBodyGoesWithItsLength() {
        try (TcpProxy toPlatform = new TcpProxy(port).start()) {
            new HttpAuditTrail(Loopback.clients(platform, toPlatform.port(), "gateway"))
                .denied(new TenantId("default"), "key:lengths", "schedule.paused", "schedule:lengths", "measured");

            String sent = toPlatform.sent();
            String request = sent.substring(sent.lastIndexOf("POST /internal/v1/gateway/audit/denials"));
            int end = request.indexOf("\r\n\r\n");
            assertThat(request.substring(0, end).toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding")
                .contains("content-length: " + (request.length() - end - 4));
            assertThat(request.substring(end + 4)).contains("key:lengths");
        }
    }
}
