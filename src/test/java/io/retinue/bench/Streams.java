package io.retinue.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Many streams open at once: {@code count} server-sent-event streams opened at {@code perSecond}, each read line by
 * line on its own virtual thread until it ends (or, without {@code lastEvent}, until its first event). Measures the time from sending each request to its first content
 * event, and runs {@code whileAllOpen} once every stream has had its first event and none has ended yet — the moment
 * to look at what holding them costs.
 */
final class Streams {

    /** What a batch of streams did: time to first event, how many ended whole, and the most open at once. */
    record Outcome(Load.Series firstEvent, int completed, int peakOpen) {
    }

    interface Probe {
        void run() throws Exception;
    }

    private Streams() {
    }

    static Outcome open(String scenario, String target, int count, int perSecond, Supplier<HttpRequest> next,
            Predicate<String> firstEvent, Predicate<String> lastEvent, Duration atMost, Probe whileAllOpen)
            throws Exception {
        long[] firstNanos = new long[count];
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch allFirst = new CountDownLatch(count);
        CountDownLatch anyEnded = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(count);
        long started = System.nanoTime();
        try (HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
                ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                long due = started + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                readers.submit(() -> {
                    long sent = System.nanoTime();
                    boolean first = false;
                    boolean whole = false;
                    try {
                        HttpResponse<Stream<String>> response = client.send(next.get(),
                                HttpResponse.BodyHandlers.ofLines());
                        if (response.statusCode() == 200) {
                            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                            try (Stream<String> lines = response.body()) {
                                Iterator<String> each = lines.iterator();
                                while (each.hasNext()) {
                                    String line = each.next();
                                    if (!first && firstEvent.test(line)) {
                                        firstNanos[index] = System.nanoTime() - sent;
                                        first = true;
                                        allFirst.countDown();
                                        if (lastEvent == null) {
                                            // Only the time to the first event is wanted: let the stream go.
                                            whole = true;
                                            break;
                                        }
                                    }
                                    if (lastEvent != null && lastEvent.test(line)) {
                                        whole = true;
                                    }
                                }
                            }
                            open.decrementAndGet();
                        }
                    }
                    catch (Exception failed) {
                        // Counted below as a stream that did not end whole.
                    }
                    finally {
                        if (!first) {
                            allFirst.countDown();
                        }
                        anyEnded.countDown();
                        if (whole) {
                            completed.incrementAndGet();
                        }
                        else {
                            errors.incrementAndGet();
                        }
                        done.countDown();
                    }
                    return null;
                });
            }
            boolean allOpen = allFirst.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
            if (allOpen && anyEnded.getCount() == 1 && whileAllOpen != null) {
                whileAllOpen.run();
            }
            else if (whileAllOpen != null) {
                System.out.printf("  (%s: the streams were not all open at once: %d first events, %d ended early)%n",
                        target, count - allFirst.getCount(), count - done.getCount());
            }
            if (!done.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                readers.shutdownNow();
            }
        }
        long[] measured = Arrays.stream(firstNanos).filter(nanos -> nanos > 0).toArray();
        Load.Series series = Load.Series.of(scenario, target, count, measured, errors.get(),
                (System.nanoTime() - started) / 1e9, Double.NaN);
        series.print();
        return new Outcome(series, completed.get(), peak.get());
    }
}
