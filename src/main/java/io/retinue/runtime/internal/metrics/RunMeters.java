package io.retinue.runtime.internal.metrics;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.retinue.shared.TenantId;

/**
 * What runs do, as meters: runs ended by tenant, agent, mode and status; model calls by provider, model and outcome with
 * their tokens and estimated cost by tenant and agent; tool calls by tool and outcome. Latencies go into a few fixed
 * buckets (a Prometheus histogram each). Every tag value is a name from configuration — tenant id, agent slug,
 * provider, model, tool — or one of a fixed set, never a run's input or id; {@code shared.metrics.MeterLimits} caps how
 * many of each a process keeps.
 */
@Component
public class RunMeters {

    /** From a fast tool call to a long agent run. */
    private static final Duration[] BUCKETS = { Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300) };

    private final MeterRegistry meters;

    public RunMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * A run's end (or its wait for a decision), once recorded; {@code mode} how the work that ended it ran
     * ({@code sync}, {@code stream}, {@code async}), {@code took} from the start of that work.
     */
    public void runEnded(TenantId tenant, String agent, String mode, String status, Duration took) {
        timer("retinue.runs", "Runs ended (or waiting for a decision), and how long the work that ended them took",
                "tenant", tenant.value(), "agent", name(agent), "mode", mode, "status", status).record(took);
    }

    /** A model call; {@code step} is the step's name, {@code provider/model}. */
    public void modelCall(TenantId tenant, String agent, String step, String outcome, Duration took, long tokensIn,
            long tokensOut, BigDecimal cost) {
        int slash = step.indexOf('/');
        String provider = slash < 0 ? "" : step.substring(0, slash);
        String model = step.substring(slash + 1);
        timer("retinue.model.calls", "Model calls by provider, model and outcome, and how long each took",
                "provider", provider, "model", model, "outcome", outcome).record(took);
        String[] tags = { "tenant", tenant.value(), "agent", name(agent), "provider", provider, "model", model };
        if (tokensIn > 0) {
            tokens(tags, "input").increment(tokensIn);
        }
        if (tokensOut > 0) {
            tokens(tags, "output").increment(tokensOut);
        }
        if (cost != null && cost.signum() > 0) {
            Counter.builder("retinue.model.cost")
                .description("Estimated cost of model calls in US dollars, from the configured prices")
                .baseUnit("usd")
                .tags(tags)
                .register(meters)
                .increment(cost.doubleValue());
        }
    }

    /** How long a streamed model answer took to its first piece of text (time to first token). */
    public void firstPiece(String provider, String model, Duration after) {
        timer("retinue.model.first-token", "Time from a streamed model call's start to its first piece of text",
                "provider", provider, "model", model).record(after);
    }

    /** A tool call a run made (or was refused: rejected, invalid arguments). */
    public void toolCall(String tool, String outcome, Duration took) {
        timer("retinue.tool.calls", "Tool calls by tool and outcome, and how long each took", "tool", tool, "outcome",
                outcome).record(took);
    }

    private Timer timer(String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS).register(meters);
    }

    private Counter tokens(String[] tags, String direction) {
        return Counter.builder("retinue.model.tokens")
            .description("Tokens of model calls by direction (input, output)")
            .baseUnit("tokens")
            .tags(tags)
            .tag("direction", direction)
            .register(meters);
    }

    private static String name(String agent) {
        return agent == null ? "" : agent;
    }
}
