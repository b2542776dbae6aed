package io.retinue.runtime.internal.journal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.runtime.journal.*}: how long a run's text deltas may wait in memory before they are written to the
 * journal in one batch ({@code flush-interval}; the run's next other event writes them sooner). Zero writes each
 * delta as it comes.
 */
@ConfigurationProperties("retinue.runtime.journal")
public record JournalProperties(Duration flushInterval) {

    public JournalProperties {
        flushInterval = flushInterval == null ? Duration.ofMillis(100) : flushInterval;
    }
}
