package io.retinue.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged platform ({@code target/retinue.jar}) as a process of its own, started the way an operator would —
 * its default configuration plus what the benchmark needs (the fake model servers as providers, limits raised so that
 * they do not throttle the load) — and measured from outside: time to ready, resident memory, heap after a full GC.
 */
final class Platform implements AutoCloseable {

    static final String KEY = "rtn_BenchRunner1_abcdefghijklmnopqrstuvwxyz012345";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final Path directory;
    final String api;
    final double startupSeconds;
    /** When it answered ready ({@link System#nanoTime()}). */
    final long readyAt = System.nanoTime();
    private final HttpClient client = HttpClient.newHttpClient();

    private Platform(Process process, Path directory, String api, double startupSeconds) {
        this.process = process;
        this.directory = directory;
        this.api = api;
        this.startupSeconds = startupSeconds;
    }

    /**
     * The packaged platform the benchmark runs: {@code target/retinue.jar}, or the jar {@code -Dbench.jar} names (to
     * compare two builds, run in turns).
     */
    static final Path JAR = Path.of(System.getProperty("bench.jar", "target/retinue.jar"));

    /**
     * Starts the platform in a fresh working directory (so the embedded default puts its database there) with the
     * given maximum heap and {@code extra} settings, and waits for it to be ready.
     */
    static Platform start(String name, String maxHeap, Map<String, String> providers, List<String> extra)
            throws Exception {
        return start(name, maxHeap, providers, extra, JAR, List.of());
    }

    /** Like {@link #start(String, String, Map, List)}, from another jar and with more JVM options. */
    static Platform start(String name, String maxHeap, Map<String, String> providers, List<String> extra, Path jar,
            List<String> jvmOptions) throws Exception {
        return start(name, maxHeap, providers, extra, jar, jvmOptions, freePort());
    }

    /** Like {@link #start(String, String, Map, List, Path, List)}, on a port chosen beforehand. */
    static Platform start(String name, String maxHeap, Map<String, String> providers, List<String> extra, Path jar,
            List<String> jvmOptions, int port) throws Exception {
        Path directory = Files.createTempDirectory("retinue-bench-" + name);
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx" + maxHeap));
        command.addAll(jvmOptions);
        // BENCH_PLATFORM_JAVA_OPTS: more JVM options for the platform, e.g. a flight recording while profiling.
        String options = System.getenv().getOrDefault("BENCH_PLATFORM_JAVA_OPTS", "").replace("{name}", name);
        if (!options.isBlank()) {
            command.addAll(List.of(options.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar",
                jar.toAbsolutePath().toString(),
                "--server.port=" + port,
                "--retinue.security.bootstrap-api-key=" + KEY,
                "--retinue.agents.providers=demo," + String.join(",", providers.keySet()),
                "--retinue.rate-limit.classes.execute.principal=100000000",
                "--retinue.rate-limit.classes.execute.tenant=100000000",
                "--retinue.rate-limit.classes.write.principal=100000000",
                "--retinue.rate-limit.classes.write.tenant=100000000",
                "--retinue.rate-limit.classes.read.principal=100000000",
                "--retinue.rate-limit.classes.read.tenant=100000000",
                "--management.metrics.distribution.percentiles.retinue.gateway.admission=0.5,0.99"));
        providers.forEach((provider, url) -> {
            command.add("--retinue.runtime.providers." + provider + ".base-url=" + url);
            command.add("--retinue.runtime.providers." + provider + ".api-key=" + io.retinue.testing.FakeModelServer.API_KEY);
        });
        command.addAll(extra);
        long starting = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("platform.log").toFile())
            .start();
        String api = "http://127.0.0.1:" + port + "/api/v1";
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the platform did not start; see " + directory.resolve("platform.log"));
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return new Platform(process, directory, api, (System.nanoTime() - starting) / 1e9);
                }
            }
            catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the platform did not get ready within two minutes");
    }

    /** The platform's process, e.g. to read the CPU time it used. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Creates and publishes an agent on the given provider's {@code demo-echo} model with the given tools. */
    void agent(String slug, String provider, List<String> tools) throws Exception {
        post("/agents", Map.of("slug", slug, "name", slug, "config", Map.of(
                "model", Map.of("provider", provider, "name", "demo-echo"),
                "instructions", Map.of("system", "You answer."),
                "tools", tools.stream().map(tool -> Map.of("name", tool)).toList())));
        post("/agents/" + slug + "/versions/1/publish", Map.of());
        for (String tool : tools) {
            post("/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect", "allow"));
        }
    }

    void post(String path, Object body) throws Exception {
        HttpResponse<String> response = client.send(Load.post(api + path, JSON.writeValueAsString(body),
                "Bearer " + KEY), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * The heap the platform has allocated since it started: what its young generation grew by between collections
     * ({@code jvm.gc.memory.allocated}, counted at each collection) and what its eden holds now; NaN when not known.
     */
    double allocatedBytes() {
        try {
            double eden = 0;
            for (String pool : List.of("G1 Eden Space", "Eden Space", "Par Eden Space", "PS Eden Space")) {
                double used = metric("jvm.memory.used", "VALUE", "area:heap", "id:" + pool);
                eden += Double.isNaN(used) ? 0 : used;
            }
            return metric("jvm.gc.memory.allocated", "COUNT") + eden;
        }
        catch (Exception unknown) {
            return Double.NaN;
        }
    }

    /** One of the platform's metrics ({@code /actuator/metrics}), e.g. a timer's COUNT or TOTAL_TIME; NaN if absent. */
    double metric(String name, String statistic, String... tags) throws Exception {
        StringBuilder url = new StringBuilder(api.replace("/api/v1", "/actuator/metrics/") + name + "?");
        for (String tag : tags) {
            url.append("tag=").append(java.net.URLEncoder.encode(tag, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")).append('&');
        }
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url.toString()))
            .header("Authorization", "Bearer " + KEY)
            .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Double.NaN;
        }
        for (JsonNode measurement : JSON.readTree(response.body()).path("measurements")) {
            if (measurement.path("statistic").asString().equals(statistic)) {
                return measurement.path("value").asDouble();
            }
        }
        return Double.NaN;
    }

    /** Memory as the operating system sees it (resident set) and the heap in use after a full GC, in MiB. */
    record Memory(double residentMiB, double heapMiB) {
    }

    Memory memory() throws Exception {
        String javaHome = ProcessHandle.current().info().command().map(java -> Path.of(java).getParent().toString())
            .orElse("");
        Process gc = new ProcessBuilder(javaHome + "/jcmd", String.valueOf(process.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        gc.waitFor();
        double heap = metric("jvm.memory.used", "VALUE", "area:heap") / (1024 * 1024);
        double resident = Double.NaN;
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                resident = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return new Memory(resident, heap);
    }

    Path log() {
        return directory.resolve("platform.log");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
