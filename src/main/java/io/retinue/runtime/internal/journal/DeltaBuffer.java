package io.retinue.runtime.internal.journal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The text deltas of one run that readers on this instance have but the database may not have yet, and how far the
 * run's events are known committed. The run's writer, its readers and the flusher all reach it, each step under its
 * lock, which is never held while the database is asked anything. Lives from the run's first held delta until the run
 * ends (or its writer lets go of it).
 */
final class DeltaBuffer {

    /** A held delta: the event as readers get it, its data as stored, and when it was appended. */
    record Held(RunJournal.RunEvent event, String data, long appendedNanos) {

        int seq() {
            return event.seq();
        }
    }

    /** What readers may take from memory: the deltas after {@code committed} that no uncommitted event precedes. */
    record View(int committed, List<RunJournal.RunEvent> events) {

        /** The events after {@code seq}, oldest first, at most {@code limit}. */
        List<RunJournal.RunEvent> after(int seq, int limit) {
            return events.stream().filter(event -> event.seq() > seq).limit(limit).toList();
        }
    }

    /** How a write of held deltas by the flusher went. */
    enum Outcome {
        WRITTEN,
        /** The database was away: hold them again and try later. */
        FAILED,
        /** The database refused them for good (the run is gone, or someone else numbered its events): drop them. */
        REFUSED
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flushed = lock.newCondition();
    /** Not written yet, oldest first. */
    private final List<Held> held = new ArrayList<>();
    /** Being written, by the flusher or in a transaction that has not completed; held again if that fails. */
    private final List<Held> writing = new ArrayList<>();
    /** Other events written in transactions that have not completed: readers get no held delta after them. */
    private final TreeSet<Integer> unsettled = new TreeSet<>();
    /** Every event of the run up to this one is committed, as far as this instance knows. */
    private int committed;
    private boolean flushing;
    /** Its writer has let go: forget it once nothing is held. */
    private boolean released;
    /** Forgotten: a writer that still finds it takes a new one. */
    private boolean dropped;
    private boolean failing;

    DeltaBuffer(int committed) {
        this.committed = committed;
    }

    /** Holds a delta; false when this buffer was dropped meanwhile (the caller takes a new one). */
    boolean hold(Held delta) {
        lock.lock();
        try {
            if (dropped) {
                return false;
            }
            held.add(delta);
            released = false;
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    boolean holdsAny() {
        lock.lock();
        try {
            return !held.isEmpty();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Takes the held deltas for a transaction that writes them before event {@code seq}, after any the flusher is
     * writing (so that they reach the database in order); until it completes {@code seq} is unsettled.
     */
    List<Held> takeBefore(int seq) {
        lock.lock();
        try {
            while (flushing) {
                flushed.awaitUninterruptibly();
            }
            if (dropped) {
                return List.of();
            }
            List<Held> taken = List.copyOf(held);
            held.clear();
            writing.addAll(taken);
            unsettled.add(seq);
            return taken;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The transaction that wrote event {@code seq} and the deltas {@code taken} before it has completed: committed,
     * they are in the database; rolled back, the deltas are held again.
     */
    void settled(int seq, List<Held> taken, boolean committed) {
        lock.lock();
        try {
            unsettled.remove(seq);
            settle(taken, committed ? Outcome.WRITTEN : Outcome.FAILED);
            if (committed) {
                this.committed = Math.max(this.committed, seq);
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Takes the held deltas for the flusher when the oldest was appended before {@code dueBefore} (a
     * {@link System#nanoTime()}) and no transaction is writing some; empty otherwise. Unless {@code now}, it does not
     * wait for a flush already under way.
     */
    List<Held> takeDue(long dueBefore, boolean now) {
        lock.lock();
        try {
            while (now && flushing) {
                flushed.awaitUninterruptibly();
            }
            if (held.isEmpty() || flushing || !writing.isEmpty() || !unsettled.isEmpty()
                    || held.getFirst().appendedNanos() - dueBefore > 0) {
                return List.of();
            }
            flushing = true;
            List<Held> taken = List.copyOf(held);
            held.clear();
            writing.addAll(taken);
            return taken;
        }
        finally {
            lock.unlock();
        }
    }

    /** The flusher's write of {@code taken} is over; answers true for a first failure, which is worth a warning. */
    boolean flushed(List<Held> taken, Outcome outcome) {
        lock.lock();
        try {
            boolean first = outcome == Outcome.FAILED && !failing;
            failing = outcome == Outcome.FAILED;
            settle(taken, outcome);
            flushing = false;
            flushed.signalAll();
            return first;
        }
        finally {
            lock.unlock();
        }
    }

    private void settle(List<Held> taken, Outcome outcome) {
        writing.removeAll(taken);
        switch (outcome) {
            case WRITTEN -> {
                if (!taken.isEmpty()) {
                    committed = Math.max(committed, taken.getLast().seq());
                }
            }
            case FAILED -> {
                held.addAll(taken);
                held.sort(Comparator.comparingInt(Held::seq));
            }
            case REFUSED -> {
            }
        }
    }

    /** The event {@code seq} is committed (with any deltas its transaction wrote). */
    void committedUpTo(int seq) {
        lock.lock();
        try {
            committed = Math.max(committed, seq);
        }
        finally {
            lock.unlock();
        }
    }

    /** Its writer has let go of the run (or the run ended): forget it once nothing is held. */
    void release() {
        lock.lock();
        try {
            released = true;
        }
        finally {
            lock.unlock();
        }
    }

    /** Runs {@code forget} and marks this buffer dropped if it was released and holds nothing. */
    void dropIfDone(Runnable forget) {
        lock.lock();
        try {
            if (!dropped && released && held.isEmpty() && writing.isEmpty() && unsettled.isEmpty()) {
                dropped = true;
                forget.run();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** Drops it whatever it holds; answers how many deltas were still held. */
    int drop(Runnable forget) {
        lock.lock();
        try {
            dropped = true;
            forget.run();
            return held.size() + writing.size();
        }
        finally {
            lock.unlock();
        }
    }

    View view() {
        lock.lock();
        try {
            int below = unsettled.isEmpty() ? Integer.MAX_VALUE : unsettled.first();
            List<RunJournal.RunEvent> events = new ArrayList<>(writing.size() + held.size());
            for (List<Held> part : List.of(writing, held)) {
                for (Held delta : part) {
                    if (delta.seq() < below) {
                        events.add(delta.event());
                    }
                }
            }
            events.sort(Comparator.comparingInt(RunJournal.RunEvent::seq));
            return new View(committed, events);
        }
        finally {
            lock.unlock();
        }
    }

    /** The number of the newest delta held or being written; 0 when none. */
    int lastSeq() {
        lock.lock();
        try {
            int last = 0;
            for (List<Held> part : List.of(writing, held)) {
                if (!part.isEmpty()) {
                    last = Math.max(last, part.getLast().seq());
                }
            }
            return last;
        }
        finally {
            lock.unlock();
        }
    }
}
