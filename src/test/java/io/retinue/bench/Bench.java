package io.retinue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.retinue.testing.FakeModelServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark driver (run by {@code bench/run}): starts the fake model server and the packaged platform as
 * processes of their own, then for each scenario drives load with virtual threads on Java's HttpClient — the same
 * client every caller of the API uses, no extra tool to install — measuring the platform and, in the same run, the
 * same model requests sent straight to the fake server (the baseline). Prints a table with the overhead against the
 * baseline and each target, and writes it as JSON under {@code bench/results/}.
 * <p>
 * This first step covers scenario 1 (one-step sync runs at concurrency 1, 16, 64, 256), scenario 2 (a tool-using
 * run) and scenario 6 (start-up time); the others are listed in README as still to come.
 */
public final class Bench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "rtn_BenchRunner1_abcdefghijklmnopqrstuvwxyz012345";

    /** One measured series: what, at which concurrency, how fast and how often. */
    record Series(String scenario, String target, int concurrency, int requests, int errors, double throughput,
            double p50, double p90, double p99) {
    }

    private final boolean quick;
    private final Path results;
    private final List<Process> processes = new ArrayList<>();

    private Bench(boolean quick, Path results) {
        this.quick = quick;
        this.results = results;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        Path results = Path.of(System.getProperty("bench.results", "bench/results"));
        Bench bench = new Bench(quick, results);
        try {
            bench.run();
        }
        finally {
            bench.processes.forEach(Process::destroyForcibly);
        }
    }

    private void run() throws Exception {
        Files.createDirectories(results);
        int modelPort = startFakeModel(20, 1, 10);
        String model = "http://127.0.0.1:" + modelPort + "/v1";
        int port = freePort();
        Path data = Files.createTempDirectory("retinue-bench");
        long starting = System.nanoTime();
        startPlatform(port, data, model);
        double startup = (System.nanoTime() - starting) / 1e9;
        String api = "http://127.0.0.1:" + port + "/api/v1";
        HttpClient setup = HttpClient.newHttpClient();
        createAgent(setup, api, "bench-one", List.of());
        createAgent(setup, api, "bench-tool", List.of("builtin.calculator"));
        post(setup, api + "/tool-grants", Map.of("subject", "agent:bench-tool", "tools", "builtin.calculator", "effect",
                "allow"));

        List<Series> series = new ArrayList<>();
        Duration warmup = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(5);
        Duration measure = quick ? Duration.ofSeconds(4) : Duration.ofSeconds(15);
        String direct = JSON.writeValueAsString(Map.of("model", "demo-echo", "stream", true, "stream_options",
                Map.of("include_usage", true), "messages", List.of(Map.of("role", "system", "content", "You answer."),
                        Map.of("role", "user", "content", "hello"))));
        String oneStep = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        for (int concurrency : quick ? new int[] { 1, 16 } : new int[] { 1, 16, 64, 256 }) {
            series.add(load("1 one-step sync run", "baseline", concurrency, warmup, measure,
                    () -> request(model + "/chat/completions", direct, "Bearer " + FakeModelServer.API_KEY)));
            series.add(load("1 one-step sync run", "platform", concurrency, warmup, measure,
                    () -> request(api + "/runs", oneStep, "Bearer " + KEY)));
        }
        String toolStep = JSON.writeValueAsString(Map.of("agent", "bench-tool", "input",
                "use builtin__calculator with {\"expression\":\"6*7\"}"));
        String directTool = JSON.writeValueAsString(Map.of("model", "demo-echo", "stream", true, "messages", List.of(
                Map.of("role", "user", "content", "use builtin__calculator with {\"expression\":\"6*7\"}")), "tools",
                List.of(Map.of("type", "function", "function", Map.of("name", "builtin__calculator", "parameters",
                        Map.of("type", "object"))))));
        // The baseline of a tool-using run is its two model calls, made one after the other (see load).
        series.add(load("2 tool-using sync run", "baseline", 16, warmup, measure,
                () -> request(model + "/chat/completions", directTool, "Bearer " + FakeModelServer.API_KEY)));
        series.add(load("2 tool-using sync run", "platform", 16, warmup, measure,
                () -> request(api + "/runs", toolStep, "Bearer " + KEY)));

        report(series, startup);
    }

    private static HttpRequest request(String url, String body, String authorization) {
        return HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

    /** Drives {@code concurrency} virtual threads sending requests back to back; measures after the warm-up. */
    private Series load(String scenario, String target, int concurrency, Duration warmup, Duration measure,
            Supplier<HttpRequest> next) throws InterruptedException {
        boolean twoCalls = scenario.startsWith("2") && target.equals("baseline");
        try (HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
                ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger errors = new AtomicInteger();
            List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                long[] mine = new long[2_000_000];
                samples.add(mine);
                senders.submit(() -> {
                    int count = 0;
                    while (running.get()) {
                        long started = System.nanoTime();
                        try {
                            HttpResponse<String> response = client.send(next.get(), HttpResponse.BodyHandlers.ofString());
                            if (twoCalls && response.statusCode() == 200) {
                                response = client.send(next.get(), HttpResponse.BodyHandlers.ofString());
                            }
                            // A run counts only when it completed; a model answer only when it was whole.
                            boolean whole = response.statusCode() / 100 == 2 && (target.equals("baseline")
                                    ? response.body().contains("[DONE]") : response.body().contains("\"completed\""));
                            if (!whole) {
                                errors.incrementAndGet();
                            }
                        }
                        catch (IOException | InterruptedException failed) {
                            errors.incrementAndGet();
                        }
                        if (measuring.get() && count < mine.length - 1) {
                            mine[++count] = System.nanoTime() - started;
                            mine[0] = count;
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(warmup);
            errors.set(0);
            measuring.set(true);
            long from = System.nanoTime();
            Thread.sleep(measure);
            measuring.set(false);
            double seconds = (System.nanoTime() - from) / 1e9;
            running.set(false);
            senders.shutdown();
            if (!senders.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
            long[] all = samples.stream()
                .flatMapToLong(mine -> Arrays.stream(mine, 1, (int) mine[0] + 1))
                .sorted()
                .toArray();
            Series result = new Series(scenario, target, concurrency, all.length, errors.get(), all.length / seconds,
                    percentile(all, 50), percentile(all, 90), percentile(all, 99));
            System.out.printf("  %-24s %-9s c=%-4d %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d%n", scenario,
                    target, concurrency, result.throughput(), result.p50(), result.p99(), result.errors());
            return result;
        }
    }

    private static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private void report(List<Series> series, double startup) throws IOException {
        System.out.println();
        System.out.printf("%-24s %5s %12s %12s %10s %10s %10s %10s %10s%n", "scenario", "c", "req/s", "baseline/s",
                "ratio", "p50 +ms", "p90 +ms", "p99 +ms", "errors");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Series platform : series.stream().filter(s -> s.target().equals("platform")).toList()) {
            Series baseline = series.stream()
                .filter(s -> s.target().equals("baseline") && s.scenario().equals(platform.scenario())
                        && s.concurrency() == platform.concurrency())
                .findFirst()
                .orElseThrow();
            double ratio = platform.throughput() / baseline.throughput();
            System.out.printf("%-24s %5d %12.1f %12.1f %9.0f%% %10.2f %10.2f %10.2f %10d%n", platform.scenario(),
                    platform.concurrency(), platform.throughput(), baseline.throughput(), ratio * 100,
                    platform.p50() - baseline.p50(), platform.p90() - baseline.p90(), platform.p99() - baseline.p99(),
                    platform.errors());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", platform.scenario());
            row.put("concurrency", platform.concurrency());
            row.put("platform", platform);
            row.put("baseline", baseline);
            row.put("throughputRatio", ratio);
            row.put("p50OverheadMs", platform.p50() - baseline.p50());
            row.put("p90OverheadMs", platform.p90() - baseline.p90());
            row.put("p99OverheadMs", platform.p99() - baseline.p99());
            rows.add(row);
        }
        System.out.printf("%nstart-up to ready: %.1f s%n", startup);
        rows.stream()
            .filter(row -> row.get("scenario").toString().startsWith("1") && (int) row.get("concurrency") == 64)
            .findFirst()
            .ifPresent(row -> {
                System.out.printf("target p50 overhead <= 1 ms at c=64: %.2f ms %s%n", row.get("p50OverheadMs"),
                        (double) row.get("p50OverheadMs") <= 1 ? "MET" : "NOT MET");
                System.out.printf("target p99 overhead <= 5 ms at c=64: %.2f ms %s%n", row.get("p99OverheadMs"),
                        (double) row.get("p99OverheadMs") <= 5 ? "MET" : "NOT MET");
                System.out.printf("target throughput >= 50%% of baseline at c=64: %.0f%% %s%n",
                        (double) row.get("throughputRatio") * 100, (double) row.get("throughputRatio") >= 0.5 ? "MET"
                                : "NOT MET");
            });
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("measuredAt", Instant.now().toString());
        document.put("quick", quick);
        document.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java",
                System.getProperty("java.version")));
        document.put("startupSeconds", startup);
        document.put("rows", rows);
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document);
        Files.writeString(results.resolve("latest.json"), text);
        System.out.println("written: " + results.resolve("latest.json"));
    }

    private int startFakeModel(long firstTokenMillis, long tokenMillis, int words) throws IOException {
        Process process = java("-Xmx512m", "io.retinue.testing.FakeModelServer", "0", String.valueOf(firstTokenMillis),
                String.valueOf(tokenMillis), String.valueOf(words)).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("fake-model-server listening on ")) {
            throw new IllegalStateException("the fake model server did not start: " + line);
        }
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    private void startPlatform(int port, Path data, String model) throws Exception {
        Path jar = Path.of("target/retinue.jar");
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(javaBinary, "-jar", jar.toString(),
                "--server.port=" + port,
                "--retinue.data-dir=" + data,
                "--spring.datasource.url=jdbc:h2:file:" + data.resolve("retinue")
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "--retinue.security.bootstrap-api-key=" + KEY,
                "--retinue.runtime.providers.fake.base-url=" + model,
                "--retinue.runtime.providers.fake.api-key=" + FakeModelServer.API_KEY,
                "--retinue.agents.providers=demo,fake",
                "--retinue.rate-limit.classes.execute.principal=100000000",
                "--retinue.rate-limit.classes.execute.tenant=100000000",
                "--retinue.rate-limit.classes.write.principal=100000000",
                "--retinue.rate-limit.classes.write.tenant=100000000")
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("platform.log").toFile());
        Process process = builder.start();
        processes.add(process);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the platform did not start; see " + data.resolve("platform.log"));
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the platform did not get ready within two minutes");
    }

    private static ProcessBuilder java(String... arguments) {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary, "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static void createAgent(HttpClient client, String api, String slug, List<String> tools) throws Exception {
        post(client, api + "/agents", Map.of("slug", slug, "name", slug, "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You answer."),
                "tools", tools.stream().map(tool -> Map.of("name", tool)).toList())));
        post(client, api + "/agents/" + slug + "/versions/1/publish", Map.of());
    }

    private static void post(HttpClient client, String url, Object body) throws Exception {
        HttpResponse<String> response = client.send(request(url, JSON.writeValueAsString(body), "Bearer " + KEY),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
