package io.retinue.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.retinue.runtime.internal.metrics.RunMeters;
import io.retinue.shared.TenantId;

class MeterLimitsTest {

    @Test
    void runMetersKeepAtMostTheLimitOfAgentsAndTenants() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeterLimits limits = new MeterLimits();
        registry.config().meterFilter(limits.agentLimit(2)).meterFilter(limits.tenantLimit(3));
        RunMeters meters = new RunMeters(registry);
        for (String agent : new String[] { "a", "b", "c", "a" }) {
            meters.runEnded(TenantId.DEFAULT, agent, "sync", "completed", Duration.ofMillis(5));
        }
        assertThat(registry.find("retinue.runs").timers()).extracting(timer -> timer.getId().getTag("agent"))
            .containsExactlyInAnyOrder("a", "b");
        assertThat(registry.get("retinue.runs").tag("agent", "a").timer().count()).isEqualTo(2);

        for (String tenant : new String[] { "t1", "t2", "t3", "t4" }) {
            meters.modelCall(new TenantId(tenant), "a", "demo/demo-echo", "answer", Duration.ofMillis(5), 3, 4, null);
        }
        assertThat(registry.find("retinue.model.tokens").counters()).extracting(c -> c.getId().getTag("tenant"))
            .doesNotContain("t3", "t4");
        // Meters without those tags are not limited by them.
        assertThat(registry.find("retinue.model.calls").timers()).hasSize(1);

        // Tenants name model connections of their own: providers are bounded too.
        SimpleMeterRegistry providers = new SimpleMeterRegistry();
        providers.config().meterFilter(limits.providerLimit(2));
        RunMeters calls = new RunMeters(providers);
        for (String provider : new String[] { "p1", "p2", "p3" }) {
            calls.modelCall(TenantId.DEFAULT, "a", provider + "/m", "answer", Duration.ofMillis(5), 1, 1, null);
        }
        assertThat(providers.find("retinue.model.calls").timers()).extracting(t -> t.getId().getTag("provider"))
            .containsExactlyInAnyOrder("p1", "p2");
    }
}
