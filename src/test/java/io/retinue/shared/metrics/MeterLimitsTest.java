package io.retinue.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.retinue.runtime.internal.metrics.RunMeters;
import io.retinue.shared.TenantId;

class MeterLimitsTest {

    @Test
    void runMetersKeepAtMostTheLimitOfAgentsTenantsAndProviders() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(MeterLimits.of(2));
        RunMeters meters = new RunMeters(registry);
        for (String agent : new String[] { "a", "b", "c", "a" }) {
            meters.runEnded(TenantId.DEFAULT, agent, "sync", "completed", Duration.ofMillis(5));
        }
        assertThat(registry.find("retinue.runs").timers()).extracting(timer -> timer.getId().getTag("agent"))
            .containsExactlyInAnyOrder("a", "b");
        assertThat(registry.get("retinue.runs").tag("agent", "a").timer().count()).isEqualTo(2);

        // The tenant "default" is one of the two; of the tenants after it, one more is kept.
        for (String tenant : new String[] { "t1", "t2", "t3" }) {
            meters.modelCall(new TenantId(tenant), "a", "demo/demo-echo", "answer", Duration.ofMillis(5), 3, 4, null);
        }
        assertThat(registry.find("retinue.model.tokens").counters()).extracting(c -> c.getId().getTag("tenant"))
            .containsOnly("t1");
        // Meters without those tags are not limited by them.
        assertThat(registry.find("retinue.model.calls").timers()).hasSize(1);

        // Tenants name model connections of their own: providers are bounded too.
        for (String provider : new String[] { "p1", "p2" }) {
            meters.modelCall(TenantId.DEFAULT, "a", provider + "/m", "answer", Duration.ofMillis(5), 1, 1, null);
        }
        assertThat(registry.find("retinue.model.calls").timers()).extracting(t -> t.getId().getTag("provider"))
            .containsExactlyInAnyOrder("demo", "p1");
    }
}
