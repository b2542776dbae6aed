package io.retinue.shared.outbound;

import java.util.HashSet;
import java.util.Set;

/**
 * Interrupts for the threads of one piece of work (a run), delivered only while a thread waits on an
 * {@link OutboundCalls outbound call} — a model's answer, a tool's — and never while it talks to the database: an
 * interrupt that reaches a virtual thread inside a JDBC call closes the connection's socket, so the statement fails,
 * its transaction is lost half-way and the pool throws the connection away (seen on PostgreSQL when runs were
 * cancelled). Once {@link #interrupt() interrupted}, every later call of those threads fails at once, so a thread that
 * was busy elsewhere stops at its next call.
 */
public final class CallInterrupts {

    private static final ThreadLocal<CallInterrupts> CURRENT = new ThreadLocal<>();

    private final Set<Thread> waiting = new HashSet<>();
    private boolean requested;

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

    /** Interrupts the threads waiting on a call now; every call after this one fails at once. */
    public synchronized void interrupt() {
        requested = true;
        waiting.forEach(Thread::interrupt);
    }

    public synchronized boolean requested() {
        return requested;
    }

    /** The current thread is about to wait on a call: false if it is to stop instead. */
    synchronized boolean enter() {
        if (requested) {
            return false;
        }
        waiting.add(Thread.currentThread());
        return true;
    }

    /**
     * The current thread no longer waits on a call. An interrupt delivered meanwhile is cleared here, under the same
     * lock {@link #interrupt()} delivers it under, so none can reach the thread after this.
     */
    synchronized void exit() {
        waiting.remove(Thread.currentThread());
        Thread.interrupted();
    }
}
