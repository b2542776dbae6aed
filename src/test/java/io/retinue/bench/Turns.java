package io.retinue.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Two platforms measured in the same minutes, one request at a time: blocks of requests sent to each in turn (a then
 * b, b then a, …). Each block runs on a platform warm from its own previous request, as a series of its own would,
 * while this machine's speed — which drifts by a third within minutes, and swings 2–4× between days — is the same for
 * both. Measured one after the other, the monolith's and the split's c = 1 series differed by more than the hop cost.
 * What b adds is the median of the blocks' differences of p50.
 */
final class Turns {

    /** One of the two: what it is called, the request a block sends, and the processes whose CPU a run costs. */
    record Side(String target, Supplier<HttpRequest> request, List<ProcessHandle> processes) {
    }

    /**
     * Each side's requests as a series (CPU per request: its processes', in its own blocks only), and what b adds to
     * a's p50: the median of the blocks' differences, with their quartiles.
     */
    record Result(Load.Series a, Load.Series b, double addedP50Ms, double addedP50LowerQuartileMs,
            double addedP50UpperQuartileMs, int blocks) {
    }

    /** JIT compilation per request (ms) below which a side counts as compiled for one request at a time. */
    private static final double COMPILED_MS_PER_REQUEST = 0.5;

    private Turns() {
    }

    /** One block's p50 and what the side's JIT compilers spent per request meanwhile. */
    private record Block(double p50, double jitMsPerRequest) {
    }

    /**
     * {@code blocks} blocks of {@code perBlock} requests each side, after unmeasured ones in turns until neither side's
     * JIT compilers spend more than {@link #COMPILED_MS_PER_REQUEST} per request (at most {@code leadIn}): one at a
     * time takes paths the warm-up under load did not (a monolith measured while it compiled them spent 10 ms of JIT
     * per run, and its latency with it).
     */
    static Result measure(String scenario, Side a, Side b, int blocks, int perBlock, Duration leadIn,
            Predicate<HttpResponse<String>> whole) throws IOException, InterruptedException {
        try (Taker first = new Taker(a, whole); Taker second = new Taker(b, whole)) {
            long leadInFrom = System.nanoTime();
            double compiling;
            int settled = 0;
            do {
                compiling = Math.max(first.block(perBlock, false).jitMsPerRequest(),
                        second.block(perBlock, false).jitMsPerRequest());
                // The JIT comes in bursts: settled for three turns running.
                settled = compiling > COMPILED_MS_PER_REQUEST ? 0 : settled + 1;
            }
            while (settled < 3 && System.nanoTime() - leadInFrom < leadIn.toNanos());
            System.out.printf("  in turns after %.0f s one at a time; compiling %.2f ms per request at its end%s%n",
                    (System.nanoTime() - leadInFrom) / 1e9, compiling,
                    settled < 3 ? " (not done)" : "");
            double[] differences = new double[blocks];
            for (int i = 0; i < blocks; i++) {
                boolean aFirst = i % 2 == 0;
                double p50a;
                double p50b;
                if (aFirst) {
                    p50a = first.block(perBlock, true).p50();
                    p50b = second.block(perBlock, true).p50();
                }
                else {
                    p50b = second.block(perBlock, true).p50();
                    p50a = first.block(perBlock, true).p50();
                }
                differences[i] = p50b - p50a;
            }
            Arrays.sort(differences);
            Result result = new Result(first.series(scenario), second.series(scenario),
                    quantile(differences, 0.5), quantile(differences, 0.25), quantile(differences, 0.75), blocks);
            result.a().print();
            result.b().print();
            System.out.printf("    in %d turns the second added p50 %+.2f ms (quartiles %+.2f, %+.2f) to the first's%n",
                    blocks, result.addedP50Ms(), result.addedP50LowerQuartileMs(), result.addedP50UpperQuartileMs());
            return result;
        }
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = (int) Math.ceil(position);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    /** Sends one side's blocks over one kept-alive connection and adds up what they took. */
    private static final class Taker implements AutoCloseable {

        private final Side side;
        private final Predicate<HttpResponse<String>> whole;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final List<long[]> measured = new ArrayList<>();
        private int errors;
        private long nanos;
        private double cpuMillis;
        private double jitMillis;

        Taker(Side side, Predicate<HttpResponse<String>> whole) {
            this.side = side;
            this.whole = whole;
        }

        /** Sends a block, its requests counted when {@code measuring}. */
        Block block(int requests, boolean measuring) throws IOException, InterruptedException {
            long[] took = new long[requests];
            int failed = 0;
            double cpuFrom = Load.cpuMillis(side.processes());
            double jitFrom = JitCpu.millis(side.processes());
            long from = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                long started = System.nanoTime();
                HttpResponse<String> response = client.send(side.request().get(), HttpResponse.BodyHandlers.ofString());
                took[i] = System.nanoTime() - started;
                if (!whole.test(response)) {
                    failed++;
                }
            }
            double jit = JitCpu.millis(side.processes()) - jitFrom;
            if (measuring) {
                nanos += System.nanoTime() - from;
                cpuMillis += Load.cpuMillis(side.processes()) - cpuFrom;
                jitMillis += jit;
                errors += failed;
                measured.add(took);
            }
            long[] sorted = took.clone();
            Arrays.sort(sorted);
            return new Block(Load.percentile(sorted, 50), jit / requests);
        }

        Load.Series series(String scenario) {
            long[] all = measured.stream().flatMapToLong(Arrays::stream).toArray();
            return Load.Series.of(scenario, side.target(), 1, all, errors, nanos / 1e9, cpuMillis, Double.NaN,
                    Double.NaN, jitMillis);
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
