package io.retinue.shared.outbound;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Interrupts for the threads of one piece of work (a run), delivered only while a thread waits on an
 * {@link OutboundCalls outbound call} — a model's answer, a tool's — and never while it talks to the database: an
 * interrupt that reaches a virtual thread inside a JDBC call closes the connection's socket, so the statement fails,
 * its transaction is lost half-way and the pool throws the connection away (seen on PostgreSQL when runs were
 * cancelled). Once {@link #interrupt() interrupted}, every later call of those threads fails at once, so a thread that
 * was busy elsewhere stops at its next call. {@link #windDown() Wound down} (the process stops), calls made
 * {@link #finishing(Supplier) to be finished} — a tool's, which may do its work without our record of it if cut
 * short — go on to their end, and only the others are interrupted.
 */
public final class CallInterrupts {

    private static final ThreadLocal<CallInterrupts> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> FINISHING = new ThreadLocal<>();

    private final Set<Thread> waiting = new HashSet<>();
    /** Those of {@link #waiting} in a call to be finished. */
    private final Set<Thread> finishingThreads = new HashSet<>();
    private boolean requested;
    private boolean windingDown;

    /** Makes {@code interrupts} the current thread's until {@link #unbind()}. */
    public static void bind(CallInterrupts interrupts) {
        CURRENT.set(interrupts);
    }

    public static void unbind() {
        CURRENT.remove();
    }

    /** The current thread's, or null when it does no interruptible work. */
    public static CallInterrupts current() {
        return CURRENT.get();
    }

    /** Whether the current thread was asked to stop: through its interrupts, or (without any) by a plain interrupt. */
    public static boolean requestedHere() {
        CallInterrupts interrupts = CURRENT.get();
        return interrupts != null ? interrupts.requested() : Thread.currentThread().isInterrupted();
    }

    /**
     * Runs {@code work} — the calls of one tool call — as calls to be finished: a {@link #windDown() wind-down} lets
     * them go on to their end (an {@link #interrupt()} still stops them).
     */
    public static <T> T finishing(Supplier<T> work) {
        Boolean outer = FINISHING.get();
        FINISHING.set(Boolean.TRUE);
        try {
            return work.get();
        }
        finally {
            FINISHING.set(outer);
        }
    }

    /** Interrupts the threads waiting on a call now; every call after this one fails at once. */
    public synchronized void interrupt() {
        requested = true;
        waiting.forEach(Thread::interrupt);
    }

    /**
     * Interrupts the threads waiting on a call except those {@link #finishing(Supplier) finishing} one, which may
     * make their calls to the end; every other call after this one fails at once.
     */
    public synchronized void windDown() {
        windingDown = true;
        waiting.stream().filter(thread -> !finishingThreads.contains(thread)).forEach(Thread::interrupt);
    }

    /** Whether the work is to stop (now, or once the calls it finishes are done). */
    public synchronized boolean requested() {
        return requested || windingDown;
    }

    /** The current thread is about to wait on a call: false if it is to stop instead. */
    synchronized boolean enter() {
        boolean finishing = FINISHING.get() == Boolean.TRUE;
        if (requested || windingDown && !finishing) {
            return false;
        }
        waiting.add(Thread.currentThread());
        if (finishing) {
            finishingThreads.add(Thread.currentThread());
        }
        return true;
    }

    /**
     * The current thread no longer waits on a call. An interrupt delivered meanwhile is cleared here, under the same
     * lock {@link #interrupt()} delivers it under, so none can reach the thread after this.
     */
    synchronized void exit() {
        waiting.remove(Thread.currentThread());
        finishingThreads.remove(Thread.currentThread());
        Thread.interrupted();
    }
}
