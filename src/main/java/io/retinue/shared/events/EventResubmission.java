package io.retinue.shared.events;

import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sends again what could not be sent: with modules apart, an event whose relay failed (the broker away, a send not
 * confirmed) stays an incomplete publication, and is resubmitted every 30 s rather than only at the next start.
 */
@Component
@ConditionalOnProperty(name = "retinue.events.external", havingValue = "true")
class EventResubmission {

    private final IncompleteEventPublications incomplete;

    EventResubmission(IncompleteEventPublications incomplete) {
        this.incomplete = incomplete;
    }

    @Scheduled(fixedDelayString = "${retinue.events.resubmit-every:30s}", initialDelayString = "${retinue.events.resubmit-every:30s}")
    void resubmit() {
        incomplete.resubmitIncompletePublicationsOlderThan(Duration.ofSeconds(30));
    }
}
