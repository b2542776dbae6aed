package io.retinue.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentVersionPublished;

/** Fixtures the integration tests share: a consumer of agent events and an endpoint that fails unexpectedly. */
@TestConfiguration(proxyBeanMethods = false)
public class TestFixtures {

    @Bean
    ReceivedEvents receivedEvents() {
        return new ReceivedEvents();
    }

    /** Records agent events as a consuming module would receive them: asynchronously, after commit. */
    public static class ReceivedEvents {

        private final List<Object> events = new CopyOnWriteArrayList<>();

        @ApplicationModuleListener
        void on(AgentVersionPublished event) {
            events.add(event);
        }

        @ApplicationModuleListener
        void on(AgentArchived event) {
            events.add(event);
        }

        @ApplicationModuleListener
        void on(AgentDeleted event) {
            events.add(event);
        }

        public List<Object> all() {
            return List.copyOf(events);
        }
    }

    /** Fails with an unexpected exception, whose message must never reach the client (found by component scan). */
    @RestController
    public static class Exploding {

        @GetMapping("/api/v1/test/explode")
        String explode() {
            throw new IllegalStateException("secret internal detail: db password is hunter2");
        }
    }
}
