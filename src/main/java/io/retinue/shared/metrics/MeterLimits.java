package io.retinue.shared.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Bounds the series Retinue's meters ({@code retinue.*}) make: at most {@code retinue.metrics.max-tag-values}
 * distinct values of each of the tags named after things users create (tenant, agent, provider, model, tool) per
 * process; meters of further values are not kept (said once in the log), so a tenant making thousands of agents
 * cannot exhaust the process's or Prometheus's memory. In every process, whichever modules it runs.
 */
@Configuration(proxyBeanMethods = false)
class MeterLimits {

    private static final Logger log = LoggerFactory.getLogger(MeterLimits.class);

    @Bean
    MeterFilter tenantLimit(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return limit("tenant", max);
    }

    @Bean
    MeterFilter agentLimit(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return limit("agent", max);
    }

    /** Providers are named by tenants too (their own model connections). */
    @Bean
    MeterFilter providerLimit(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return limit("provider", max);
    }

    @Bean
    MeterFilter modelLimit(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return limit("model", max);
    }

    @Bean
    MeterFilter toolLimit(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return limit("tool", max);
    }

    private static MeterFilter limit(String tag, int max) {
        AtomicBoolean said = new AtomicBoolean();
        MeterFilter deny = new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                if (said.compareAndSet(false, true)) {
                    log.warn("More than {} values of the tag '{}' on Retinue's meters: meters of further values are not "
                            + "kept (retinue.metrics.max-tag-values)", max, tag);
                }
                return MeterFilterReply.DENY;
            }
        };
        return MeterFilter.maximumAllowableTags("retinue.", tag, max, deny);
    }
}
