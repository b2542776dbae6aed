package io.retinue.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.SplitPlatform;
import io.retinue.testing.TestDatabase;

/**
 * The end-to-end flows against the platform split into its services: gateway, agents, runtime and tools each a JVM
 * of its own with its own database, events over RabbitMQ, the client talking to the gateway only.
 */
class SplitEndToEndIT implements EndToEnd {

    private static SplitPlatform platform;

    @BeforeAll
    static void start() {
        TestDatabase.url();
        platform = SplitPlatform.start(PlatformIT.ADMIN_KEY);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
            platform = null;
        }
    }

    @Override
    public Api admin() {
        return new Api(platform.gatewayPort(), PlatformIT.ADMIN_KEY);
    }
}
