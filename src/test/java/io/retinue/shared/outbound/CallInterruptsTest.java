package io.retinue.shared.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A run's interrupts reach its threads only while they wait on an outbound call — the interrupt that closed JDBC
 * connections when runs were cancelled mid-statement cannot happen — and stop every call after.
 */
class CallInterruptsTest {

    private final OutboundCalls outbound = new OutboundCalls(new OutboundProperties(null, null),
            new SimpleMeterRegistry());
    private final OutboundTarget target = new OutboundTarget("interrupts-test", false);

    @AfterEach
    void close() {
        outbound.close();
    }

    @Test
    void aCallInFlightIsInterruptedAndItsThreadLeftUninterruptedForWhatFollows() throws Exception {
        CallInterrupts interrupts = new CallInterrupts();
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch callStopped = new CountDownLatch(1);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean(true);
        Thread worker = Thread.ofVirtual().start(() -> {
            CallInterrupts.bind(interrupts);
            try {
                outbound.call(target, Duration.ofSeconds(30), () -> {
                    calling.countDown();
                    try {
                        Thread.sleep(30_000);
                    }
                    catch (InterruptedException stopped) {
                        callStopped.countDown();
                    }
                    return "too late";
                });
                failure.complete(null);
            }
            catch (RuntimeException stopped) {
                failure.complete(stopped);
            }
            finally {
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                CallInterrupts.unbind();
            }
        });
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
        interrupts.interrupt();

        assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("Interrupted while calling interrupts-test");
        worker.join(5_000);
        assertThat(interruptedAfter).as("the thread goes on to record the outcome uninterrupted").isFalse();
        assertThat(callStopped.await(5, TimeUnit.SECONDS)).as("the call itself was stopped, not left running").isTrue();
    }

    @Test
    void aThreadBusyOutsideACallIsNotInterruptedAndItsNextCallFailsAtOnce() throws Exception {
        CallInterrupts interrupts = new CallInterrupts();
        CountDownLatch busy = new CountDownLatch(1);
        AtomicBoolean interruptedWhileBusy = new AtomicBoolean();
        AtomicBoolean called = new AtomicBoolean();
        CompletableFuture<Throwable> next = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            CallInterrupts.bind(interrupts);
            try {
                busy.countDown();
                try {
                    // Stands for a database statement: a blocking wait that an interrupt would break off.
                    Thread.sleep(500);
                }
                catch (InterruptedException broken) {
                    interruptedWhileBusy.set(true);
                }
                assertThatThrownBy(() -> outbound.call(target, () -> called.getAndSet(true)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Stopped before calling interrupts-test");
                next.complete(null);
            }
            catch (Throwable failed) {
                next.complete(failed);
            }
            finally {
                CallInterrupts.unbind();
            }
        });
        assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        interrupts.interrupt();

        assertThat(next.get(5, TimeUnit.SECONDS)).isNull();
        worker.join(5_000);
        assertThat(interruptedWhileBusy).isFalse();
        assertThat(called).as("no call is made once the run is to stop").isFalse();
        assertThat(interrupts.requested()).isTrue();
    }

    @Test
    void aThreadOfNoRunKeepsAPlainInterruptForItsCaller() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                outbound.call(target, () -> {
                    calling.countDown();
                    try {
                        Thread.sleep(30_000);
                    }
                    catch (InterruptedException stopped) {
                        // Stopped by the cancelled call.
                    }
                    return "too late";
                });
            }
            catch (IllegalStateException stopped) {
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            }
        });
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
        worker.interrupt();
        assertThat(interruptedAfter.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWindDownLetsCallsToBeFinishedEndAndStopsTheOthers() throws Exception {
        CallInterrupts interrupts = new CallInterrupts();
        CountDownLatch calling = new CountDownLatch(2);
        CompletableFuture<Object> plain = new CompletableFuture<>();
        CompletableFuture<Object> finishing = new CompletableFuture<>();
        Thread model = Thread.ofVirtual().start(() -> plain.complete(outcome(interrupts, () -> sleepy(calling))));
        // A tool call: its first call (an access token, say) is cut into by the wind-down, its second still made.
        Thread tool = Thread.ofVirtual().start(() -> finishing.complete(outcome(interrupts, () ->
                CallInterrupts.finishing(() -> sleepy(calling) + outbound.call(target, Duration.ofSeconds(5),
                        () -> " and then some")))));
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
        interrupts.windDown();

        assertThat(plain.get(5, TimeUnit.SECONDS)).as("a call not to be finished is stopped")
            .isInstanceOf(IllegalStateException.class);
        assertThat(finishing.get(5, TimeUnit.SECONDS)).isEqualTo("slept and then some");
        assertThat(interrupts.requested()).isTrue();
        assertThat(outcome(interrupts, () -> outbound.call(target, Duration.ofSeconds(5), () -> "next")))
            .as("no call starts after a wind-down").isInstanceOf(IllegalStateException.class);
        model.join(5_000);
        tool.join(5_000);
    }

    /** A call that takes a second and a half, counting down {@code calling} as it starts. */
    private String sleepy(CountDownLatch calling) {
        return outbound.call(target, Duration.ofSeconds(10), () -> {
            calling.countDown();
            try {
                Thread.sleep(1_500);
            }
            catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            return "slept";
        });
    }

    /** What {@code work} gave on a thread with {@code interrupts}, or what it threw. */
    private static Object outcome(CallInterrupts interrupts, java.util.function.Supplier<Object> work) {
        CallInterrupts.bind(interrupts);
        try {
            return work.get();
        }
        catch (RuntimeException failed) {
            return failed;
        }
        finally {
            CallInterrupts.unbind();
        }
    }
}
