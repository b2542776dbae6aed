package io.retinue.shared.outbound;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.outbound.*}: how outbound calls are guarded. {@code defaults} apply to every target;
 * {@code targets.<name>} overrides the timeout per target.
 */
@ConfigurationProperties("retinue.outbound")
public record OutboundProperties(Guard defaults, Map<String, Duration> timeouts) {

    /** The guard of one target: timeout, breaker, bulkhead and retry. */
    public record Guard(Duration timeout, Integer failureRateThreshold, Integer minimumCalls, Integer slidingWindow,
            Duration openFor, Integer maxConcurrent, Integer retries, Duration retryBackoff) {

        public Guard {
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
            failureRateThreshold = failureRateThreshold == null ? 50 : failureRateThreshold;
            minimumCalls = minimumCalls == null ? 10 : minimumCalls;
            slidingWindow = slidingWindow == null ? 20 : slidingWindow;
            openFor = openFor == null ? Duration.ofSeconds(30) : openFor;
            maxConcurrent = maxConcurrent == null ? 64 : maxConcurrent;
            retries = retries == null ? 2 : retries;
            retryBackoff = retryBackoff == null ? Duration.ofMillis(200) : retryBackoff;
        }
    }

    public OutboundProperties {
        defaults = defaults == null ? new Guard(null, null, null, null, null, null, null, null) : defaults;
        timeouts = timeouts == null ? Map.of() : Map.copyOf(timeouts);
    }
}
