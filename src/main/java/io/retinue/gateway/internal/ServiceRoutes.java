package io.retinue.gateway.internal;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.preserveHostHeader;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.filter.LoadBalancerFilterFunctions.lb;
import static org.springframework.cloud.gateway.server.mvc.filter.RetryFilterFunctions.retry;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.cloud.gateway.server.mvc.config.GatewayMvcProperties;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.cloud.gateway.server.mvc.handler.ProxyExchange;
import org.springframework.cloud.gateway.server.mvc.handler.RestClientProxyExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.shared.topology.ModuleUnavailable;
import io.retinue.shared.topology.ServiceHttp;
import io.retinue.shared.topology.ServiceInstances;
import io.retinue.shared.topology.Topology;
import io.retinue.shared.web.Problems;
import io.retinue.shared.web.RequestIds;
import io.retinue.shared.tracing.Traces;

/**
 * Where modules run in processes of their own, the gateway is still the one entry point: after it authenticated,
 * authorised and rate-limited a request (its security chain runs first), the request goes on to the service that owns
 * the path (Spring Cloud Gateway Server Web MVC), with the client's credentials replaced by an internal token for the
 * caller, the request id and a child trace context; event streams pass through as they are written. A service that
 * cannot be reached answers 503 problem+json with {@code Retry-After}. In the monolith there is nothing to route.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnModule("gateway")
class ServiceRoutes {

    private static final Logger log = LoggerFactory.getLogger(ServiceRoutes.class);

    /** The public paths each service owns. */
    static final Map<String, List<String>> OWNED = Map.of(
            "agents", List.of("/api/v1/agents", "/api/v1/agents/**", "/api/v1/agent-configs/**"),
            "runtime", List.of("/api/v1/runs", "/api/v1/runs/**", "/api/v1/sessions", "/api/v1/sessions/**",
                    "/api/v1/schedules", "/api/v1/schedules/**", "/api/v1/webhooks", "/api/v1/webhooks/**",
                    "/api/v1/webhook-deliveries", "/api/v1/webhook-deliveries/**", "/api/v1/model-providers",
                    "/api/v1/model-providers/**", "/api/v1/budgets", "/api/v1/budgets/**", "/api/v1/analytics/**",
                    "/api/v1/trace-settings"),
            "tools", List.of("/api/v1/tools", "/api/v1/tools/**", "/api/v1/mcp-servers", "/api/v1/mcp-servers/**",
                    "/api/v1/credentials", "/api/v1/credentials/**", "/api/v1/tool-grants", "/api/v1/tool-grants/**",
                    "/api/v1/tool-permissions/**", "/api/v1/tool-executions", "/api/v1/tool-executions/**"));

    private static final String RETRY_AFTER_SECONDS = "5";
    private static final String SERVICE_ATTRIBUTE = ServiceRoutes.class.getName() + ".service";
    /** How many of a service's processes a request is offered to when they refuse the connection. */
    private static final int PROCESSES_TRIED = 3;

    @Bean
    RouterFunction<ServerResponse> routesToServices(Topology topology, ServiceInstances instances) {
        RouterFunction<ServerResponse> routes = request -> Optional.empty();
        for (Topology.Service service : topology.remote()) {
            List<String> paths = OWNED.get(service.module());
            if (paths == null) {
                continue;
            }
            String module = service.module();
            RouterFunctions.Builder route = route(module).route(anyOf(paths), http())
                // What is left unanswered (no process could be reached) is a 503 with Retry-After.
                .onError(ServiceRoutes::unreachable, (failure, request) -> unavailable(module, failure));
            if (instances.balanced(module)) {
                // One of the processes that answer their health check; a refused connection (nothing was sent) is
                // tried again on the next one, whatever the method, before the checks have noticed.
                route.filter(retry(config -> config.setRetries(PROCESSES_TRIED - 1)
                    .setSeries(Set.of())
                    .setExceptions(Set.of(ConnectionRefused.class))
                    .setBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 2)))
                    .filter(lb(module));
            }
            else {
                route.before(uri(topology.urlOf(module)));
            }
            route
                // The service writes links (Location) for the host the client called.
                .before(preserveHostHeader())
                .before(forService(module))
                .filter(ServiceRoutes::refusedConnections);
            routes = routes.and(route.build());
        }
        return routes;
    }

    /** Requests go on over the process's client for its calls to other Retinue processes. */
    @Bean
    ProxyExchange toServices(RestClient.Builder http, ServiceHttp serviceHttp, GatewayMvcProperties properties) {
        return new RestClientProxyExchange(http.requestFactory(serviceHttp.requests()).build(), properties);
    }

    /** A process that refused the connection never saw the request: safe to send it to another, even a POST. */
    private static ServerResponse refusedConnections(ServerRequest request,
            HandlerFunction<ServerResponse> next) throws Exception {
        try {
            return next.handle(request);
        }
        catch (ResourceAccessException failure) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause instanceof ConnectException) {
                    throw new ConnectionRefused(failure);
                }
            }
            throw failure;
        }
    }

    /** The request did not reach the process: it refused the connection. */
    static final class ConnectionRefused extends RuntimeException {

        ConnectionRefused(ResourceAccessException failure) {
            super(failure.getMessage(), failure);
        }
    }

    /** The gateway gave the request its id, and echoes it already: the service's echo would repeat it. */
    @Bean
    HttpHeadersFilter.ResponseHttpHeadersFilter withoutTheServicesRequestId() {
        return (headers, response) -> {
            HttpHeaders kept = new HttpHeaders();
            headers.forEach((name, values) -> {
                if (!RequestIds.HEADER.equalsIgnoreCase(name)) {
                    kept.addAll(name, values);
                }
            });
            return kept;
        };
    }

    /**
     * The service could not be connected to, stopped answering, or has no process that answers its health check (a
     * failure the client's request did not cause).
     */
    private static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ResourceAccessException || cause instanceof java.io.IOException
                    || cause instanceof HttpServerErrorException unavailable
                            && unavailable.getStatusCode().value() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
                return true;
            }
        }
        return false;
    }

    private static RequestPredicate anyOf(List<String> paths) {
        return paths.stream().map(RequestPredicates::path).reduce(RequestPredicate::or).orElseThrow();
    }

    /** Which service a request goes to, for {@link #asInternalCaller}. */
    private static Function<ServerRequest, ServerRequest> forService(String module) {
        return request -> {
            request.attributes().put(SERVICE_ATTRIBUTE, module);
            return request;
        };
    }

    /**
     * The client's credentials stay here: the service gets the caller as an internal token, with the request id and a
     * child trace context. Applied to the headers the proxy sends on (one copy of them, not of the whole request).
     */
    @Bean
    HttpHeadersFilter.RequestHttpHeadersFilter asInternalCaller(InternalTokens tokens, Traces traces) {
        return new AsInternalCaller(tokens, traces);
    }

    private record AsInternalCaller(InternalTokens tokens, Traces traces) implements HttpHeadersFilter.RequestHttpHeadersFilter,
            Ordered {

        @Override
        public HttpHeaders apply(HttpHeaders input, ServerRequest request) {
            Object module = request.attribute(SERVICE_ATTRIBUTE).orElse(null);
            if (!(module instanceof String service)) {
                return input;
            }
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            Caller caller = authentication != null && authentication.getPrincipal() instanceof Caller known ? known
                    : null;
            String trace = traces.current();
            String requestId = MDC.get(RequestIds.MDC_KEY);
            HttpHeaders headers = new HttpHeaders();
            headers.putAll(input);
            // What the client named in Connection is for its own hop (RFC 9110, 7.6.1): an h2c upgrade attempt's
            // HTTP2-Settings, say. The library's filter drops the standard hop-by-hop headers, not these.
            for (String options : request.headers().header(HttpHeaders.CONNECTION)) {
                for (String option : options.split(",")) {
                    headers.remove(option.trim());
                }
            }
            headers.remove(HttpHeaders.AUTHORIZATION);
            headers.remove("X-API-Key");
            headers.remove(HttpHeaders.COOKIE);
            if (caller != null) {
                headers.setBearerAuth(tokens.mint(caller, service));
            }
            if (requestId != null) {
                headers.set(RequestIds.HEADER, requestId);
            }
            // The gateway's own span (which continues the client's trace) is the service's parent.
            headers.remove(Traces.HEADER);
            if (trace != null) {
                headers.set(Traces.HEADER, trace);
            }
            return headers;
        }

        /** Last: what it removes and sets is what goes on, whatever the library's filters did before. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    private static ServerResponse unavailable(String module, Throwable failure) {
        log.warn("The {} service cannot be reached: {}", module, failure.getMessage());
        ProblemDetail problem = Problems.of(ModuleUnavailable.TYPE, HttpStatus.SERVICE_UNAVAILABLE,
                "The " + module + " service cannot be reached now; retry shortly", List.of(), Map.of("service", module));
        return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
            .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .body(problem);
    }
}
