package io.retinue.gateway.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the gateway spends on letting a request in, per step ({@code authentication}, {@code rate-limit}), as the
 * timer {@code retinue.gateway.admission}: the platform's own cost in front of every call, watched in production and
 * reported by the benchmark.
 */
final class Admission {

    static final String TIMER = "retinue.gateway.admission";

    private Admission() {
    }

    static Timer timer(MeterRegistry meters, String step) {
        return Timer.builder(TIMER)
            .description("Time the gateway spends admitting a request, per step")
            .tag("step", step)
            .register(meters);
    }
}
