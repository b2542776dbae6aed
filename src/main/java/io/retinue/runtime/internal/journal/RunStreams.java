package io.retinue.runtime.internal.journal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.retinue.runtime.internal.AgentRunner;
import io.retinue.runtime.internal.RunLedger;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a run's events to a client as they are journalled, from the one after the last it saw, until the run ends or
 * waits for a decision. A client that stops listening to a run it started with {@code onDisconnect=cancel} (the
 * default for streamed runs) does not leave the run working for no one: unless a client attaches again within the
 * reconnect grace, the run is cancelled. When the instance shuts down its streams end at once, asking the clients to
 * reconnect ({@code retry}) — to another instance, which goes on from their {@code Last-Event-ID} — rather than
 * holding the shutdown for as long as its runs would have lasted.
 */
@Component
@EnableConfigurationProperties(RunStreams.StreamProperties.class)
public class RunStreams implements SmartLifecycle {

    /**
     * {@code retinue.runtime.stream.*}: how often an idle stream sends a keep-alive comment (which is also how a
     * dropped client is noticed), and how long a dropped client of a cancel-on-disconnect run has to come back.
     */
    @ConfigurationProperties("retinue.runtime.stream")
    public record StreamProperties(Duration heartbeat, Duration reconnectGrace) {

        public StreamProperties {
            heartbeat = heartbeat == null ? Duration.ofSeconds(5) : heartbeat;
            reconnectGrace = reconnectGrace == null ? Duration.ofSeconds(10) : reconnectGrace;
        }
    }

    /** Where the events go: one server-sent event, or a comment that only keeps the connection alive. */
    public interface Sink {

        void event(int id, String type, String data) throws IOException;

        void comment(String text) throws IOException;

        /** Asks the client to connect again after {@code millis}, from the last event it saw. */
        void reconnect(long millis) throws IOException;
    }

    /** How soon a client whose stream ended with the instance's shutdown is asked to reconnect. */
    private static final long RECONNECT_AFTER_SHUTDOWN_MILLIS = 1000;

    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "timed_out", "requires_action");

    private final RunJournal journal;
    private final RunLedger ledger;
    private final AgentRunner runner;
    private final JsonMapper json;
    private final StreamProperties properties;
    private final Map<UUID, Integer> listeners = new ConcurrentHashMap<>();
    private final Set<UUID> cancelWhenAbandoned = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    /** Set from the shutdown on: every stream ends (see above). */
    private volatile boolean closing;

    RunStreams(RunJournal journal, RunLedger ledger, AgentRunner runner, JsonMapper json, StreamProperties properties,
            MeterRegistry meters) {
        Gauge.builder("retinue.streams.open", listeners,
                following -> following.values().stream().mapToInt(Integer::intValue).sum())
            .description("Event streams of runs open on this process")
            .register(meters);
        this.journal = journal;
        this.ledger = ledger;
        this.runner = runner;
        this.json = json;
        this.properties = properties;
    }

    /** Starts a run in the background and answers its id; the caller then {@link #follow}s it. */
    public UUID start(Caller caller, AgentRunner.RunRequest request) {
        UUID run = runner.begin(caller, request);
        if (!"continue".equals(request.onDisconnect())) {
            cancelWhenAbandoned.add(run);
        }
        return run;
    }

    /** The number of the last event of a run so far (0 before the first). */
    public int lastEvent(UUID run) {
        return journal.lastSeq(run);
    }

    /**
     * Sends the events after {@code after} and those that follow, returning once the run has ended or waits for a
     * decision, or once the client has gone.
     */
    public void follow(Caller caller, UUID run, int after, Sink sink) {
        ledger.find(caller.tenant(), run).orElseThrow(() -> DomainProblem.notFound("Run '" + run + "'"));
        listeners.merge(run, 1, Integer::sum);
        try {
            int last = after;
            boolean waited = false;
            while (true) {
                List<RunJournal.RunEvent> events = journal.after(run, last, 200);
                for (RunJournal.RunEvent event : events) {
                    sink.event(event.seq(), event.type(), json.writeValueAsString(event.data()));
                    last = event.seq();
                }
                // A run that waited for a decision and went on has events after its requires_action: replay those too.
                if (!events.isEmpty() && events.getLast().terminal() && journal.after(run, last, 1).isEmpty()) {
                    cancelWhenAbandoned.remove(run);
                    return;
                }
                if (events.isEmpty() && waited) {
                    if (ended(caller, run)) {
                        // It may have ended between reading its events and its status: send what it journalled last,
                        // as committed with its end (this instance may not have settled it in memory yet).
                        for (RunJournal.RunEvent event : journal.committedAfter(run, last, 200)) {
                            sink.event(event.seq(), event.type(), json.writeValueAsString(event.data()));
                        }
                        return;
                    }
                    sink.comment("keep-alive");
                }
                if (closing) {
                    // Not a dropped client: the run is not cancelled, and goes on here or on another instance.
                    sink.comment("this instance is shutting down; reconnect with Last-Event-ID to go on");
                    sink.reconnect(RECONNECT_AFTER_SHUTDOWN_MILLIS);
                    return;
                }
                if (events.isEmpty()) {
                    journal.awaitAfter(run, last, properties.heartbeat());
                }
                waited = events.isEmpty();
            }
        }
        catch (IOException dropped) {
            abandoned(caller, run);
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        finally {
            listeners.merge(run, -1, (count, minus) -> count + minus == 0 ? null : count + minus);
        }
    }

    @Override
    public void start() {
        closing = false;
        running = true;
    }

    /** Ends the streams of this instance (see above): each sends what it has and asks its client to reconnect. */
    @Override
    public void stop() {
        running = false;
        closing = true;
        journal.wakeFollowers();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the web server's graceful shutdown, which waits for the requests in progress — streams among them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 512;
    }

    /** Whether the run has ended without (further) events, e.g. one recorded before runs kept events. */
    private boolean ended(Caller caller, UUID run) {
        return ledger.find(caller.tenant(), run).map(found -> ENDED.contains(found.status())).orElse(true);
    }

    private void abandoned(Caller caller, UUID run) {
        if (!cancelWhenAbandoned.contains(run)) {
            return;
        }
        Thread.ofVirtual().name("abandoned-" + run).start(() -> {
            try {
                Thread.sleep(properties.reconnectGrace());
            }
            catch (InterruptedException interrupted) {
                return;
            }
            // The count includes the connection that just dropped until its finally block has run.
            if (listeners.getOrDefault(run, 0) == 0 && cancelWhenAbandoned.remove(run)) {
                runner.cancel(caller, run);
            }
        });
    }
}
