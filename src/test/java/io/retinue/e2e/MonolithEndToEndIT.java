package io.retinue.e2e;

import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/** The end-to-end flows against the monolith: every module in one process, the suite's platform under test. */
class MonolithEndToEndIT extends PlatformIT implements EndToEnd {

    @Override
    public Api admin() {
        return api;
    }
}
