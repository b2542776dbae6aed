package io.retinue.shared.topology;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.util.DefaultUriBuilderFactory;
import org.springframework.web.util.UriBuilder;
import org.springframework.web.util.UriBuilderFactory;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.outbound.OutboundTarget;
import io.retinue.shared.outbound.OutboundUnavailable;
import io.retinue.shared.web.RequestIds;

/**
 * Calls one module another process runs, on its internal endpoints, as a given caller: through the outbound guard
 * (timeout, breaker, bulkhead; retries only for idempotent calls), with an internal token for that caller, the
 * request id and the trace context. A problem the module answers with (4xx) reaches the caller as the same problem;
 * a module that cannot be reached, or fails, is {@link ModuleUnavailable} (503 with {@code Retry-After}).
 */
public final class ModuleClient {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final String module;
    private final String self;
    private final ServiceInstances instances;
    /** A URI builder per process of the module: where each call goes is chosen when it is made. */
    private final Map<URI, UriBuilderFactory> processes = new ConcurrentHashMap<>();
    private final RestClient http;
    private final InternalTokens tokens;
    private final OutboundCalls outbound;
    private final OutboundTarget reads;
    private final OutboundTarget writes;
    private final Duration timeout;
    private final int maxConcurrent;

    ModuleClient(String module, String self, ServiceInstances instances, RestClient.Builder http,
            InternalTokens tokens, OutboundCalls outbound, Duration timeout, int maxConcurrent) {
        this.module = module;
        this.timeout = timeout;
        this.maxConcurrent = maxConcurrent;
        this.self = self;
        this.instances = instances;
        this.http = http.build();
        this.tokens = tokens;
        this.outbound = outbound;
        this.reads = new OutboundTarget("service:" + module, true);
        this.writes = new OutboundTarget("service:" + module + ":writes", false);
    }

    /**
     * Who a call made for {@code tenant} is made as: the caller of the request being served when it belongs to that
     * tenant, otherwise this process itself, confined to the tenant (a run's worker, a schedule) — never a caller
     * of another tenant, and never one without a tenant.
     */
    public Caller actingFor(TenantId tenant) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        if (current != null && current.getPrincipal() instanceof Caller caller && caller.tenant().equals(tenant)) {
            return caller;
        }
        return service(tenant);
    }

    /**
     * This process itself, for a call made before any tenant is known — authenticating an API key taken off a queue,
     * whose tenant only the gateway can tell: a service caller of the installation's own tenant ({@code default})
     * holding no scope. The endpoint it calls must not read a tenant from it; one that did would find the
     * installation's, never a customer's.
     */
    public Caller asProcess() {
        return service(TenantId.DEFAULT);
    }

    private Caller service(TenantId tenant) {
        return new Caller(tenant, "service:" + self, Set.of());
    }

    /** A read (retried when it fails transiently); empty when the module answers 204 No Content. */
    public <T> Optional<T> get(Caller caller, Function<UriBuilder, URI> uri, Class<T> type) {
        return guarded(reads, timeout, () -> exchange(caller, http.get().uri(target(uri)), type));
    }

    /**
     * A write or an operation that must happen at most once per call: never retried here. {@code timeout} is the
     * time the operation itself may take (a tool call's own limit, say), which the module is given in full.
     */
    public <T> Optional<T> post(Caller caller, Function<UriBuilder, URI> uri, Object body, Class<T> type,
            Duration timeout) {
        return guarded(writes, timeout.plus(this.timeout),
                () -> exchange(caller, http.post().uri(target(uri)).contentType(MediaType.APPLICATION_JSON).body(body),
                        type));
    }

    /** A read with a body (a query too large or structured for a URL): retried as a read. */
    public <T> Optional<T> query(Caller caller, Function<UriBuilder, URI> uri, Object body, Class<T> type) {
        return guarded(reads, timeout,
                () -> exchange(caller, http.post().uri(target(uri)).contentType(MediaType.APPLICATION_JSON).body(body),
                        type));
    }

    /** The call's URI on the process it goes to: the module's one, or one of its processes that answers. */
    private URI target(Function<UriBuilder, URI> uri) {
        URI process = instances.next(module)
            .orElseThrow(() -> new Unreachable(new IOException("no process of " + module + " answers its health check")));
        return uri.apply(processes.computeIfAbsent(process, base -> new DefaultUriBuilderFactory(base.toString()))
            .builder());
    }

    private <T> T guarded(OutboundTarget target, Duration timeout, Supplier<T> call) {
        try {
            // Only an unreachable or failing module is transient: a problem it answered is the caller's, at once.
            return outbound.call(target, timeout, maxConcurrent, Unreachable.class::isInstance, call);
        }
        catch (Unreachable | OutboundUnavailable failure) {
            throw unavailable(failure);
        }
    }

    private <T> Optional<T> exchange(Caller caller, RestClient.RequestHeadersSpec<?> request, Class<T> type) {
        request.header(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.mint(caller, module))
            .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON);
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        String traceparent = OutboundCalls.traceparent();
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        try {
            return request.exchange((sent, response) -> {
                HttpStatusCode status = response.getStatusCode();
                if (status.value() == HttpStatus.NO_CONTENT.value()) {
                    return Optional.empty();
                }
                if (status.is2xxSuccessful()) {
                    return Optional.ofNullable(response.bodyTo(type));
                }
                throw failure(status, response.bodyTo(ProblemDetail.class));
            }, true);
        }
        catch (ResourceAccessException unreachable) {
            throw new Unreachable(unreachable);
        }
    }

    private RuntimeException failure(HttpStatusCode status, ProblemDetail problem) {
        if (status.is5xxServerError()) {
            // Transient from here: counted by the breaker and, for reads, retried; what remains becomes a 503.
            return new Unreachable(new IOException(module + " answered " + status.value()));
        }
        if (status.value() == 401 || status.value() == 403 && problem == null) {
            return new ModuleUnavailable(module, module + " refused this process's internal token (do all processes "
                    + "share RETINUE_MASTER_KEY and the same clock?)", RETRY_AFTER);
        }
        if (problem == null || problem.getType() == null) {
            return new ModuleUnavailable(module, module + " answered " + status.value() + " without a problem",
                    RETRY_AFTER);
        }
        return new RemoteProblem(problem, HttpStatus.valueOf(status.value()));
    }

    /** Maps what the guard let through unanswered to the problem a client sees. */
    private RuntimeException unavailable(RuntimeException failure) {
        if (failure instanceof Unreachable unreachable) {
            return new ModuleUnavailable(module, module + " cannot be reached: " + unreachable.getCause().getMessage(),
                    RETRY_AFTER);
        }
        if (failure instanceof OutboundUnavailable guard) {
            return new ModuleUnavailable(module, module + " is not answering now: " + guard.getMessage(),
                    guard.retryAfter() == null ? RETRY_AFTER : guard.retryAfter());
        }
        return failure;
    }

    /** A connection failure or 5xx: what the guard retries and counts. */
    static final class Unreachable extends RuntimeException {

        Unreachable(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A problem the remote module answered with, passed on as it is. */
    static final class RemoteProblem extends DomainProblem {

        RemoteProblem(ProblemDetail problem, HttpStatus status) {
            super(new ProblemType(problem.getType(), status, problem.getTitle() == null ? status.getReasonPhrase()
                    : problem.getTitle()), problem.getDetail() == null ? "" : problem.getDetail(),
                    violations(problem), properties(problem));
        }

        private static Map<String, Object> properties(ProblemDetail problem) {
            Map<String, Object> properties = new java.util.LinkedHashMap<>(
                    problem.getProperties() == null ? Map.of() : problem.getProperties());
            properties.remove("errors");
            properties.remove("requestId");
            properties.values().removeIf(java.util.Objects::isNull);
            return properties;
        }

        @SuppressWarnings("unchecked")
        private static List<Violation> violations(ProblemDetail problem) {
            Object errors = problem.getProperties() == null ? null : problem.getProperties().get("errors");
            if (!(errors instanceof List<?> list)) {
                return List.of();
            }
            return list.stream()
                .filter(Map.class::isInstance)
                .map(entry -> (Map<String, Object>) entry)
                .map(entry -> new Violation((String) entry.get("pointer"), String.valueOf(entry.get("detail"))))
                .toList();
        }
    }
}
