package io.retinue.runtime.internal.cache;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.retinue.agents.AgentCatalog;
import io.retinue.agents.ToolAvailability;
import io.retinue.tools.ToolCatalog;

/**
 * The runtime's caches of the reads every run makes of other modules, each wrapping whichever implementation the
 * topology provides (in-process or HTTP). They are no default candidates: only injection points marked {@link Cached}
 * get them, everything else gets the owner's implementation. Their sizes and hit counts are the {@code cache.*}
 * metrics, tagged {@code cache=agent-specs}, {@code tool-offers} and {@code tools-withheld}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CacheProperties.class)
class CacheConfiguration {

    @Bean(defaultCandidate = false)
    @Cached
    CachedAgentCatalog cachedAgentCatalog(AgentCatalog owner, CacheProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        CachedAgentCatalog cached = new CachedAgentCatalog(owner, properties, Ticker.systemTicker());
        meters.ifAvailable(registry -> CaffeineCacheMetrics.monitor(registry, cached.specs().entries(), "agent-specs"));
        return cached;
    }

    @Bean(defaultCandidate = false)
    @Cached
    CachedToolCatalog cachedToolCatalog(ToolCatalog owner, CacheProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        CachedToolCatalog cached = new CachedToolCatalog(owner, properties, Ticker.systemTicker());
        meters.ifAvailable(registry -> CaffeineCacheMetrics.monitor(registry, cached.offers().entries(), "tool-offers"));
        return cached;
    }

    @Bean(defaultCandidate = false)
    @Cached
    CachedToolAvailability cachedToolAvailability(ToolAvailability owner, CacheProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        CachedToolAvailability cached = new CachedToolAvailability(owner, properties, Ticker.systemTicker());
        meters.ifAvailable(
                registry -> CaffeineCacheMetrics.monitor(registry, cached.answers().entries(), "tools-withheld"));
        return cached;
    }

    @Bean
    CacheInvalidation cacheInvalidation(@Cached CachedAgentCatalog agents, @Cached CachedToolCatalog tools,
            @Cached CachedToolAvailability availability) {
        return new CacheInvalidation(agents, tools, availability);
    }
}
