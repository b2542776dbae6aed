package io.retinue.shared.tracing;

import java.util.HashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * The W3C trace context ({@code traceparent}) as work moves between threads, rows and processes: what is going on in
 * this thread as a header value, a span continuing a stored one, and a scope to work in. Micrometer Tracing over the
 * OpenTelemetry SDK does the work (Boot's OpenTelemetry starter); it continues the caller's {@code traceparent} for
 * each request it serves.
 */
@Component
public class Traces {

    public static final String HEADER = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    @org.springframework.beans.factory.annotation.Autowired
    public Traces(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    private Traces(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Traces that trace nothing (for code run outside an application). */
    public static Traces none() {
        return new Traces(Tracer.NOOP, Propagator.NOOP);
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The {@code traceparent} of what this thread is doing (its current span); null when nothing is traced. */
    public String current() {
        return header(tracer.currentTraceContext().context());
    }

    /** The {@code traceparent} naming {@code span} as the parent; null for none. */
    public String header(Span span) {
        return span == null ? null : header(span.context());
    }

    private String header(TraceContext context) {
        if (context == null) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        propagator.inject(context, carrier, Map::put);
        return carrier.get(HEADER);
    }

    /**
     * A span to start as a child of the stored {@code traceparent} (null: of this thread's current span, or a new
     * trace when there is none).
     */
    public Span.Builder childOf(String traceparent) {
        return traceparent == null ? tracer.spanBuilder() : propagator.extract(Map.of(HEADER, traceparent), Map::get);
    }

    /** A span to start as a child of {@code parent}. */
    public Span.Builder childOf(Span parent) {
        return parent == null ? tracer.spanBuilder() : tracer.spanBuilder().setParent(parent.context());
    }

    /** Makes {@code span} this thread's current span until the scope closes. */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    /** The trace id of a {@code traceparent} value; null when it is none. */
    public static String traceIdOf(String traceparent) {
        return traceparent != null && traceparent.length() >= 35 ? traceparent.substring(3, 35) : null;
    }
}
