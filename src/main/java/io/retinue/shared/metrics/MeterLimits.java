package io.retinue.shared.metrics;

import java.util.List;
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

    /** The tags named after things users create; providers too, as tenants name model connections of their own. */
    static final List<String> TAGS = List.of("tenant", "agent", "provider", "model", "tool");

    @Bean
    MeterFilter tagLimits(@Value("${retinue.metrics.max-tag-values:1000}") int max) {
        return of(max);
    }

    /** One filter limiting each of {@link #TAGS} to {@code max} values. */
    static MeterFilter of(int max) {
        return new TagLimits(TAGS.stream().map(tag -> limit(tag, max)).toList());
    }

    /** The first limit that decides on a meter decides. */
    private record TagLimits(List<MeterFilter> limits) implements MeterFilter {

        @Override
        public MeterFilterReply accept(Meter.Id id) {
            for (MeterFilter limit : limits) {
                MeterFilterReply reply = limit.accept(id);
                if (reply != MeterFilterReply.NEUTRAL) {
                    return reply;
                }
            }
            return MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            Meter.Id mapped = id;
            for (MeterFilter limit : limits) {
                mapped = limit.map(mapped);
            }
            return mapped;
        }
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
