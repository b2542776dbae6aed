package io.retinue.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import jakarta.servlet.DispatcherType;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.outbound.OutboundTarget;

/** Fixtures the integration tests share: a consumer of agent events and an endpoint that fails unexpectedly. */
@TestConfiguration(proxyBeanMethods = false)
public class TestFixtures {

    /**
     * The application's data source notes what it is sent while a test asks it to ({@link StatementLog#recording}):
     * tests that count what a request costs the database get it as the {@code DataSource} bean.
     */
    @Bean
    static BeanPostProcessor statementLog() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return name.equals("dataSource") && bean instanceof DataSource source && !(bean instanceof StatementLog)
                        ? new StatementLog(source, false) : bean;
            }
        };
    }

    /** Notes what every request of the public API was answered, for {@code ApiContractIT}. */
    @Bean
    FilterRegistrationBean<ApiExchanges> apiExchanges() {
        FilterRegistrationBean<ApiExchanges> registration = new FilterRegistrationBean<>(new ApiExchanges());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }

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

    /**
     * Calls a URL through the outbound guard, the way a tool or model adapter will: a non-2xx answer is a failure.
     * Found by component scan.
     */
    @RestController
    public static class UpstreamCaller {

        private final OutboundCalls calls;
        private final HttpClient http = HttpClient.newHttpClient();

        UpstreamCaller(OutboundCalls calls) {
            this.calls = calls;
        }

        @GetMapping("/api/v1/test/upstream")
        String call(@RequestParam String target, @RequestParam String url,
                @RequestParam(defaultValue = "false") boolean idempotent) {
            return calls.call(new OutboundTarget(target, idempotent), () -> get(url));
        }

        private String get(String url) {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
                if (OutboundCalls.traceparent() != null) {
                    request.header("traceparent", OutboundCalls.traceparent());
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() >= 300) {
                    throw new IllegalStateException("upstream answered " + response.statusCode());
                }
                return response.body();
            }
            catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
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
