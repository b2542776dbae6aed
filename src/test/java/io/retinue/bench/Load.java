package io.retinue.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A closed-loop load: {@code concurrency} virtual threads, each sending its requests back to back on one shared
 * {@link HttpClient}, timed from the send to the whole body; measured after a warm-up. A request counts only when
 * {@code whole} accepts its answer (a completed run, an entire model answer) — anything else is an error.
 */
final class Load {

    /**
     * One measured series: what, against which target, at which concurrency, how fast and how often, and the CPU time
     * the server process spent per request meanwhile ({@code cpuMsPerRequest}) — what caps its
     * throughput on a machine it shares, and much steadier from run to run than the throughput itself; null when not
     * measured. {@code machineBusy}: the share of all the machine's cores that was busy meanwhile, whoever used them
     * ({@link MachineCpu}); null when not measured. {@code allocKiBPerRequest}: the heap the server process allocated
     * per request meanwhile ({@link Platform#allocatedBytes}); null when not measured. {@code jitMsPerRequest}: the
     * part of {@code cpuMsPerRequest} the servers' JIT compilers spent ({@link JitCpu}); null when not measured.
     */
    record Series(String scenario, String target, int concurrency, int requests, int errors, double throughput,
            double p50, double p90, double p99, Double cpuMsPerRequest, Double machineBusy,
            Double allocKiBPerRequest, Double jitMsPerRequest) {

        static Series of(String scenario, String target, int concurrency, long[] nanos, int errors, double seconds,
                double cpuMillis) {
            return of(scenario, target, concurrency, nanos, errors, seconds, cpuMillis, Double.NaN);
        }

        static Series of(String scenario, String target, int concurrency, long[] nanos, int errors, double seconds,
                double cpuMillis, double machineBusy) {
            return of(scenario, target, concurrency, nanos, errors, seconds, cpuMillis, machineBusy, Double.NaN);
        }

        static Series of(String scenario, String target, int concurrency, long[] nanos, int errors, double seconds,
                double cpuMillis, double machineBusy, double allocatedBytes) {
            return of(scenario, target, concurrency, nanos, errors, seconds, cpuMillis, machineBusy, allocatedBytes,
                    Double.NaN);
        }

        static Series of(String scenario, String target, int concurrency, long[] nanos, int errors, double seconds,
                double cpuMillis, double machineBusy, double allocatedBytes, double jitMillis) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Series(scenario, target, concurrency, sorted.length, errors, sorted.length / seconds,
                    percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                    sorted.length == 0 || Double.isNaN(cpuMillis) ? null : cpuMillis / sorted.length,
                    Double.isNaN(machineBusy) ? null : machineBusy,
                    sorted.length == 0 || Double.isNaN(allocatedBytes) ? null : allocatedBytes / 1024 / sorted.length,
                    sorted.length == 0 || Double.isNaN(jitMillis) ? null : jitMillis / sorted.length);
        }

        /** The servers' CPU per request once compiled: less what their JIT compilers spent meanwhile. */
        Double cpuMsPerRequestCompiled() {
            return cpuMsPerRequest == null || jitMsPerRequest == null ? null : cpuMsPerRequest - jitMsPerRequest;
        }

        void print() {
            System.out.printf("  %-28s %-12s c=%-5d %9.1f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d%s%s%s%s%n",
                    scenario, target, concurrency, throughput, p50, p99, errors,
                    cpuMsPerRequest == null ? "" : "  cpu %.2f ms/req".formatted(cpuMsPerRequest),
                    jitMsPerRequest == null ? "" : " (JIT %.2f)".formatted(jitMsPerRequest),
                    allocKiBPerRequest == null ? "" : "  alloc %.0f KiB/req".formatted(allocKiBPerRequest),
                    machineBusy == null ? "" : "  machine %.0f %% busy".formatted(machineBusy * 100));
        }
    }

    /** What one iteration sends: one request, or (for a baseline of a two-call run) several one after the other. */
    interface Iteration {
        List<HttpRequest> requests();
    }

    private Load() {
    }

    static HttpRequest post(String url, String body, String authorization) {
        return HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

    static HttpRequest get(String url, String authorization) {
        return HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization)
            .GET()
            .build();
    }

    static Series run(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Iteration iteration, Predicate<HttpResponse<String>> whole) throws InterruptedException {
        return run(scenario, target, concurrency, warmup, measure, iteration, whole, List.of());
    }

    /** A series whose {@code server} process's CPU time is measured too (null: not measured). */
    static Series run(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Iteration iteration, Predicate<HttpResponse<String>> whole, ProcessHandle server)
            throws InterruptedException {
        return run(scenario, target, concurrency, warmup, measure, iteration, whole, server, null);
    }

    /** The bytes a server process has allocated so far; NaN when not known. */
    interface Allocation {
        double bytes();
    }

    /**
     * A series whose {@code server} process's CPU time and, through {@code allocation}, heap allocation are measured
     * too (null: not measured).
     */
    static Series run(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Iteration iteration, Predicate<HttpResponse<String>> whole, ProcessHandle server, Allocation allocation)
            throws InterruptedException {
        return run(scenario, target, concurrency, warmup, measure, iteration, whole,
                server == null ? List.of() : List.of(server), allocation);
    }

    /** A series whose {@code servers}' CPU time, together, is measured too (none: not measured). */
    static Series run(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Iteration iteration, Predicate<HttpResponse<String>> whole, List<ProcessHandle> servers)
            throws InterruptedException {
        return run(scenario, target, concurrency, warmup, measure, iteration, whole, servers, null);
    }

    private static Series run(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Iteration iteration, Predicate<HttpResponse<String>> whole, List<ProcessHandle> servers,
            Allocation allocation)
            throws InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
                ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger errors = new AtomicInteger();
            Map<String, Integer> kinds = new ConcurrentHashMap<>();
            List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                long[] mine = new long[100_000];
                samples.add(mine);
                senders.submit(() -> {
                    int count = 0;
                    while (running.get()) {
                        long started = System.nanoTime();
                        String failure = null;
                        try {
                            for (HttpRequest request : iteration.requests()) {
                                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                                if (!whole.test(response)) {
                                    failure = "HTTP " + response.statusCode();
                                    break;
                                }
                            }
                        }
                        catch (IOException | InterruptedException failed) {
                            failure = failed.getClass().getSimpleName();
                        }
                        if (!measuring.get()) {
                            continue;
                        }
                        if (failure != null) {
                            errors.incrementAndGet();
                            kinds.merge(failure, 1, Integer::sum);
                        }
                        else if (count < mine.length - 1) {
                            mine[++count] = System.nanoTime() - started;
                            mine[0] = count;
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(warmup);
            measuring.set(true);
            long from = System.nanoTime();
            double cpuFrom = cpuMillis(servers);
            double jitFrom = servers.isEmpty() ? Double.NaN : JitCpu.millis(servers);
            double allocatedFrom = allocation == null ? Double.NaN : allocation.bytes();
            MachineCpu machineFrom = MachineCpu.now();
            Thread.sleep(measure);
            measuring.set(false);
            double cpu = cpuMillis(servers) - cpuFrom;
            double jit = servers.isEmpty() ? Double.NaN : JitCpu.millis(servers) - jitFrom;
            double allocated = allocation == null ? Double.NaN : allocation.bytes() - allocatedFrom;
            double busy = MachineCpu.busyBetween(machineFrom, MachineCpu.now());
            double seconds = (System.nanoTime() - from) / 1e9;
            running.set(false);
            senders.shutdown();
            if (!senders.awaitTermination(60, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
            long[] all = samples.stream().flatMapToLong(mine -> Arrays.stream(mine, 1, (int) mine[0] + 1)).toArray();
            Series series = Series.of(scenario, target, concurrency, all, errors.get(), seconds, cpu, busy, allocated,
                    jit);
            if (!scenario.startsWith("(")) {
                series.print();
            }
            if (!kinds.isEmpty()) {
                System.out.println("    errors by kind: " + kinds);
            }
            return series;
        }
    }

    /** The CPU time the processes have used so far (user and system), in ms; NaN when none or not known. */
    static double cpuMillis(List<ProcessHandle> processes) {
        return processes.isEmpty() ? Double.NaN : processes.stream()
            .mapToDouble(process -> process.info().totalCpuDuration().map(cpu -> cpu.toNanos() / 1e6).orElse(Double.NaN))
            .sum();
    }

    static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
