package io.retinue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.retinue.testing.FakeModelServer;
import io.retinue.testing.TestDatabase;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark (run by {@code bench/run}). Starts the fake model server — the one the tests use — as processes of
 * its own (a quick one, and a slow one for long streams), then the packaged platform twice: on its embedded default
 * (H2, in-process rate limiting) and on PostgreSQL with Redis rate limiting. Load comes from virtual threads on Java's
 * HttpClient: the client every caller of the API has, exact about what it measures (each request timed from send to
 * whole answer, only whole answers counted), and nothing to install.
 * <p>
 * Every latency is set against a baseline measured in the same run: the same model requests sent straight to the
 * fake server at the same concurrency. Prints a table and each target, and writes {@code bench/results/latest.json}
 * and {@code bench/results/latency.svg}.
 */
public final class Bench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL_KEY = "Bearer " + FakeModelServer.API_KEY;
    private static final String PLATFORM_KEY = "Bearer " + Platform.KEY;
    /** The series of the same model calls through {@link PassThrough}: what one more hop costs here. */
    private static final String FLOOR = "pass-through floor";
    /** Scenario 7's series: the monolith and the split services, each with its own direct calls. */
    private static final String SPLIT = "7 one-step sync, split";
    /** Compilation time per second (ms/s) below which the JIT counts as done with the platform's hot paths. */
    private static final double COMPILED = 100;
    private static final Duration MOST_WARM_UP = Duration.ofSeconds(100);
    /**
     * At most this long on PostgreSQL, whose runs wait mostly on the database (three times the CPU per run of H2, most
     * of it not the JIT's): the time saved keeps a full run near 10 minutes on a slow day (629 s with 100 s here).
     */
    private static final Duration MOST_WARM_UP_POSTGRES = Duration.ofSeconds(60);
    /** At most this long for the split services (the four JITs are watched together). */
    private static final Duration MOST_WARM_UP_SPLIT = Duration.ofSeconds(240);
    /** A streamed chunk that carries text (the first chunk only names the role). */
    private static final java.util.regex.Pattern FIRST_CONTENT = java.util.regex.Pattern.compile("\"content\":\"[^\"]");

    private final boolean quick;
    private final Set<String> only;
    private final Path results;
    private final Duration warmup;
    private final Duration measure;
    private final Duration jit;
    private final List<Process> processes = new ArrayList<>();
    private final List<Load.Series> series = new ArrayList<>();
    private final Map<String, Object> document = new LinkedHashMap<>();
    private final List<String> targets = new ArrayList<>();
    /** The quick fake model server's process, whose CPU time per call the baselines report. */
    private ProcessHandle fastModel;
    /** The pass-through in front of the quick model server ({@link PassThrough}), whose CPU time its series report. */
    private ProcessHandle passThrough;
    /** Scenario 7 at c = 1, the monolith and the split measured in turns; null when not measured. */
    private Turns.Result oneAtATime;

    private Bench(boolean quick, Set<String> only, Path results) {
        this.quick = quick;
        this.only = only;
        this.results = results;
        // Each series starts after a warmed-up one: a second lets its connections open and its load settle.
        this.warmup = Duration.ofSeconds(1);
        // -Dbench.measure=SECONDS and -Dbench.jit=SECONDS lengthen a pass (e.g. a quick one that compares two builds).
        this.measure = Duration.ofSeconds(Long.getLong("bench.measure", quick ? 2 : 5));
        this.jit = Duration.ofSeconds(Long.getLong("bench.jit", quick ? 8 : 40));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        // --only=3,5 runs just those scenarios (while working on one); results are then not written.
        Set<String> only = Arrays.stream(args)
            .filter(arg -> arg.startsWith("--only="))
            .flatMap(arg -> Arrays.stream(arg.substring("--only=".length()).split(",")))
            .collect(java.util.stream.Collectors.toSet());
        Bench bench = new Bench(quick, only, Path.of(System.getProperty("bench.results", "bench/results")));
        long started = System.nanoTime();
        try {
            bench.run();
        }
        finally {
            bench.processes.forEach(Process::destroyForcibly);
        }
        System.out.printf("benchmark took %.0f s%n", (System.nanoTime() - started) / 1e9);
        // Servers started in this JVM (the span sink) would keep it running.
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(results);
        document.put("measuredAt", Instant.now().toString());
        document.put("quick", quick);
        document.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java",
                System.getProperty("java.version")));
        // Quick answers: 20 ms to the first token, then 10 words 1 ms apart. Slow ones: long streams to hold open.
        String fast = "http://127.0.0.1:" + startFakeModel(20, 1, 10) + "/v1";
        fastModel = processes.getLast().toHandle();
        String floor = "http://127.0.0.1:" + startProcess(PassThrough.class, "pass-through listening on ", "0", fast)
                + "/v1";
        passThrough = processes.getLast().toHandle();
        int streams = quick ? 500 : 5000;
        // Slow answers: a word every second (quick) or three, so that every stream is still open when the last opens.
        String slow = "http://127.0.0.1:" + (quick ? startFakeModel(100, 1000, 5) : startFakeModel(100, 3000, 20)) + "/v1";
        Map<String, String> providers = Map.of("fast", fast, "slow", slow);

        System.out.println("== embedded default (H2, rate limits in process)");
        Map<String, Object> startup = new LinkedHashMap<>();
        Map<String, Object> idle = new LinkedHashMap<>();
        document.put("startupSeconds", startup);
        document.put("idleMemory", idle);
        // A quick pass opens its 500 streams on this instance too: another instance's start and warm-up would take a
        // quarter of the two minutes it has.
        boolean streamsHere = quick && wants("3");
        if (wants("1") || wants("2") || wants("5") || wants("6") || streamsHere) {
            // -Dbench.tracing=true: every run traced and its spans exported over OTLP, to a collector that takes and
            // drops them (what tracing costs the platform, against the same scenarios without it).
            List<String> tracing = Boolean.getBoolean("bench.tracing")
                    ? List.of("--management.opentelemetry.tracing.export.otlp.endpoint=" + SpanSink.start())
                    : List.of();
            document.put("tracing", !tracing.isEmpty());
            try (Platform platform = Platform.start("h2", "1g", providers, tracing)) {
                startup.put("h2", platform.startupSeconds);
                idle.put("h2", settledMemory(platform));
                idleCpu(platform);
                agents(platform);
                warmUp(platform, "h2", jit, MOST_WARM_UP, null);
                if (wants("1")) {
                    warmUpFloor(floor);
                    oneStep(platform, "h2", fast, floor,
                            quick ? new int[] { 1, 64 } : new int[] { 1, 16, 64, 256 }, true);
                }
                if (wants("2")) {
                    toolUsing(platform, fast);
                }
                if (wants("5")) {
                    admission(platform, "in process");
                }
                if (streamsHere) {
                    streaming(platform, slow, streams);
                }
            }
        }
        if (wants("6")) {
            startFromAotCache(providers, startup, idle);
        }
        if (wants("3") && !streamsHere) {
            // On an instance of its own, with room to spare: the heap it needs with every stream open is the result.
            // -Dbench.streams.heap=1g runs them within the target's heap instead.
            try (Platform platform = Platform.start("h2-streams", System.getProperty("bench.streams.heap", "3g"),
                    providers, List.of())) {
                agents(platform);
                // Streams cost the platform little CPU once open: the fixed warm-up serves (15 s of it doubled their
                // first events' p99 on this machine).
                warmUp(platform, "h2-streams", jit, null, null);
                streaming(platform, slow, streams);
            }
        }
        if (!wants("1") && !wants("4") && !wants("5") && !wants("7") && !wants("8")) {
            return;
        }

        System.out.println("== PostgreSQL, rate limits in Redis");
        String database = TestDatabase.fresh();
        SplitPlatform split = null;
        try (Platform platform = Platform.start("postgres", "1g", providers, List.of(
                "--spring.datasource.url=" + database,
                "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--retinue.rate-limit.backend=redis",
                "--retinue.runtime.queue.max-per-tenant=16"))) {
            startup.put("postgres", platform.startupSeconds);
            idle.put("postgres", settledMemory(platform));
            agents(platform);
            // The quick pass leaves the one-step runs on PostgreSQL (and the warm-up they need) to the full one.
            if (wants("1") && !quick) {
                // Statistics after a first 10 s as well: without them each warm-up run was several times slower, and
                // the JIT, which compiles what has run often enough, took that much longer too.
                warmUp(platform, "postgres", Duration.ofSeconds(10), MOST_WARM_UP_POSTGRES, () -> analyze(database));
                analyze(database);
                oneStep(platform, "postgres", fast, floor, new int[] { 16, 64 }, false);
            }
            if (wants("4")) {
                async(platform, database, quick ? 200 : 2000);
            }
            if (wants("5")) {
                admission(platform, "redis");
            }
            if (wants("8")) {
                reports(platform, database);
            }
            if (wants("7")) {
                if (!wants("1") || quick) {
                    warmUp(platform, "postgres", Duration.ofSeconds(10), MOST_WARM_UP_POSTGRES, () -> analyze(database));
                }
                analyze(database);
                hops(platform.api, Map.of("monolith", platform.handle()), "PostgreSQL", fast);
                // The split starts next to the monolith: at c = 1 both are measured in the same minutes.
                System.out.println("== split: gateway, agents, runtime and tools services, a PostgreSQL database each");
                split = startSplit(providers, startup);
                try {
                    // Its 60 s often ended with its JIT busy; one request at a time, a monolith still compiling spent
                    // 3 to 10 ms of JIT per run, and the split, warmed until its JITs settled, looked the faster one.
                    warmUp(platform, "postgres, again before c = 1", Duration.ofSeconds(5), MOST_WARM_UP_POSTGRES,
                            null);
                    oneAtATime(platform, split, fast);
                }
                catch (Exception failed) {
                    split.close();
                    throw failed;
                }
            }
        }
        if (split != null) {
            try (SplitPlatform started = split) {
                hops(started.gateway().api, started.byRole(), "split", fast);
            }
        }
        if (only.isEmpty()) {
            report();
        }
    }

    /**
     * What autovacuum would have done by now: this machine's PostgreSQL runs without it, and on tables that grew by
     * tens of thousands of runs with no statistics the planner's choices slowed every run several-fold over a series
     * (p50 171 ms, then 340 ms at c = 64; 81 ms and steady once analysed).
     */
    private static void analyze(String database) throws Exception {
        try (Connection connection = DriverManager.getConnection(database, TestDatabase.user(), TestDatabase.password());
                Statement statement = connection.createStatement()) {
            statement.execute("VACUUM ANALYZE");
        }
    }

    private boolean wants(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    private void agents(Platform platform) throws Exception {
        platform.agent("bench-one", "fast", List.of());
        platform.agent("bench-tool", "fast", List.of("builtin.calculator"));
        platform.agent("bench-stream", "slow", List.of());
    }

    /**
     * Runs (one-step and tool-using) and reads, unmeasured, until the JIT has compiled the hot paths: a benchmark of a
     * cold JVM measures the compiler, not the platform. On two cores C2 takes its time — its threads were still
     * compiling at a core's worth after 40 s at c = 64, taking that core from the series measured next and costing
     * every run more than a compiled one does — so a full pass goes on, five seconds at a time, until the platform's
     * {@code jvm.compilation.time} grows by less than {@link #COMPILED} (or for {@code atMost} in all; null: only the
     * first pass). {@code afterFirst}, if any, runs after the first pass.
     */
    private void warmUp(Platform platform, String name, Duration first, Duration atMost, Streams.Probe afterFirst)
            throws Exception {
        warmUp(platform, name, first, atMost, afterFirst, null);
    }

    /** {@code compilers}: the processes whose JIT compilers are watched together (null: the platform's own metric). */
    private void warmUp(Platform platform, String name, Duration first, Duration atMost, Streams.Probe afterFirst,
            List<ProcessHandle> compilers) throws Exception {
        String run = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        String toolRun = JSON.writeValueAsString(Map.of("agent", "bench-tool", "input",
                "use builtin__calculator with {\"expression\":\"6*7\"}"));
        // On PostgreSQL only one-step runs are measured: leaving the tool-using ones out leaves the JIT less to do.
        boolean tools = name.startsWith("h2");
        Load.Iteration iteration = () -> {
            List<HttpRequest> requests = new ArrayList<>(List.of(Load.post(platform.api + "/runs", run, PLATFORM_KEY),
                    Load.get(platform.api + "/agents/bench-one", PLATFORM_KEY)));
            if (tools) {
                requests.add(Load.post(platform.api + "/runs", toolRun, PLATFORM_KEY));
            }
            return requests;
        };
        Load.run("(JIT warm-up)", "platform", 64, first, Duration.ofMillis(1), iteration, response -> true);
        if (afterFirst != null) {
            afterFirst.run();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> seconds = (Map<String, Object>) document.computeIfAbsent("warmUpSeconds",
                key -> new LinkedHashMap<>());
        seconds.put(name, first.toSeconds());
        if (quick || atMost == null) {
            return;
        }
        Duration step = Duration.ofSeconds(5);
        Duration warmed = first;
        double compiling;
        do {
            double before = compilers == null ? platform.metric("jvm.compilation.time", "COUNT")
                    : JitCpu.millis(compilers);
            Load.run("(JIT warm-up)", "platform", 64, step, Duration.ofMillis(1), iteration, response -> true);
            compiling = ((compilers == null ? platform.metric("jvm.compilation.time", "COUNT")
                    : JitCpu.millis(compilers)) - before) / step.toSeconds();
            warmed = warmed.plus(step);
        }
        while (compiling > COMPILED && warmed.compareTo(atMost) < 0);
        System.out.printf("  JIT warm-up: %d s at c=64; compiling %.0f ms/s at its end%s%n", warmed.toSeconds(), compiling,
                compiling > COMPILED ? " (not done: the series measured next pay for the rest)" : "");
        seconds.put(name, warmed.toSeconds());
        // Whether the JIT was done when measuring began: on a slow day it may not be, and the numbers show it.
        @SuppressWarnings("unchecked")
        Map<String, Object> left = (Map<String, Object>) document.computeIfAbsent("warmUpEndCompilingMsPerSecond",
                key -> new LinkedHashMap<>());
        left.put(name, Math.round(compiling));
    }

    /** Warms up the pass-through's JIT (much less to compile than the platform). */
    private void warmUpFloor(String floor) throws Exception {
        String direct = oneStepModelRequest();
        Load.run("(JIT warm-up)", FLOOR, 64, quick ? Duration.ofSeconds(4) : Duration.ofSeconds(15),
                Duration.ofMillis(1), () -> List.of(Load.post(floor + "/chat/completions", direct, MODEL_KEY)),
                response -> true);
    }

    /**
     * Scenario 6 from the JDK's AOT cache that {@code deploy/aot/build} makes, when there is one built from the jar
     * measured here; with {@code -XX:AOTMode=on}, which refuses to start without a usable cache.
     */
    private void startFromAotCache(Map<String, String> providers, Map<String, Object> startup,
            Map<String, Object> idle) throws Exception {
        Path cache = Path.of("target/aot/retinue.aot");
        if (!Files.exists(cache) || Files.getLastModifiedTime(cache).compareTo(
                Files.getLastModifiedTime(Path.of("target/retinue.jar"))) < 0) {
            System.out.println("== (no AOT cache of this jar: deploy/aot/build makes one, and its start-up is then "
                    + "measured too)");
            return;
        }
        System.out.println("== embedded default, started from the AOT cache of deploy/aot/build");
        try (Platform platform = Platform.start("h2-aot", "1g", providers, List.of(), Path.of("target/aot/retinue.jar"),
                List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache.toAbsolutePath()))) {
            startup.put("h2, AOT cache", platform.startupSeconds);
            idle.put("h2, AOT cache", settledMemory(platform));
        }
    }

    /** Memory once start-up work has settled (a few seconds after ready, after a full GC). */
    private Platform.Memory settledMemory(Platform platform) throws Exception {
        Thread.sleep(quick ? 1000 : 3000);
        Platform.Memory memory = platform.memory();
        System.out.printf("  ready in %.1f s; at idle: resident %.0f MiB, heap after GC %.0f MiB%n",
                platform.startupSeconds, memory.residentMiB(), memory.heapMiB());
        return memory;
    }

    /**
     * The CPU an instance spends with nothing to do, as a share of one core: from a minute after it was ready (a quick
     * pass: 10 s), when start-up's last compilations are done, over half a minute (10 s), before its first request.
     * What it spends then it spends on every idle machine it runs on, taking it from whatever shares the machine.
     */
    private void idleCpu(Platform platform) throws Exception {
        Duration after = quick ? Duration.ofSeconds(10) : Duration.ofSeconds(60);
        Duration window = quick ? Duration.ofSeconds(10) : Duration.ofSeconds(30);
        Thread.sleep(Math.max(0, after.toMillis() - (System.nanoTime() - platform.readyAt) / 1_000_000));
        double before = Load.cpuMillis(List.of(platform.handle()));
        long started = System.nanoTime();
        Thread.sleep(window.toMillis());
        double share = (Load.cpuMillis(List.of(platform.handle())) - before) / ((System.nanoTime() - started) / 1e6);
        System.out.printf("  idle: %.2f %% of a core over %d s from %d s after ready, before the first request%n",
                share * 100, window.toSeconds(), after.toSeconds());
        document.put("idleCpuShareOfCore", share);
        targets.add(target("idle instance CPU <= 0.5 % of a core", share <= 0.005, "%.2f %%".formatted(share * 100)));
    }

    /**
     * Scenario 1: a one-step sync run (one model call) against the same model call made directly — for a whole answer,
     * as the platform asks for it in a run its caller waits for.
     */
    private void oneStep(Platform platform, String database, String model, String floor, int[] concurrencies,
            boolean baselines) throws Exception {
        String direct = oneStepModelRequest();
        String run = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        for (int concurrency : concurrencies) {
            if (baselines) {
                series.add(Load.run("1 one-step sync run", "direct model call", concurrency, warmup, measure,
                        () -> List.of(Load.post(model + "/chat/completions", direct, MODEL_KEY)), Bench::wholeAnswer,
                        fastModel));
                // A quick pass measures the floor where the targets are (c = 64) only.
                if (concurrency == 64 || !quick && concurrency < 64) {
                    series.add(Load.run("1 one-step sync run", FLOOR, concurrency, warmup, measure,
                            () -> List.of(Load.post(floor + "/chat/completions", direct, MODEL_KEY)),
                            Bench::wholeAnswer, passThrough));
                }
            }
            series.add(Load.run("1 one-step sync run", "platform, " + database, concurrency, warmup, measure,
                    () -> List.of(Load.post(platform.api + "/runs", run, PLATFORM_KEY)), Bench::completedRun,
                    platform.handle(), platform::allocatedBytes));
        }
    }

    /**
     * Scenario 7 at c = 16 and 64: one-step sync runs on the monolith on PostgreSQL and on the split services (through
     * the gateway to the runtime), each against the direct calls in the same run: what the hops between the services
     * add to a run's latency, and to the CPU a run costs all the platform's processes together.
     */
    private void hops(String api, Map<String, ProcessHandle> processes, String on, String model) throws Exception {
        String direct = oneStepModelRequest();
        String run = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        List<ProcessHandle> handles = List.copyOf(processes.values());
        // One at a time, the two are measured in turns instead (oneAtATime).
        for (int concurrency : quick ? new int[] { 16 } : new int[] { 16, 64 }) {
            series.add(Load.run(SPLIT, "direct model call (" + on + ")", concurrency, warmup, measure,
                    () -> List.of(Load.post(model + "/chat/completions", direct, MODEL_KEY)), Bench::wholeAnswer,
                    fastModel));
            Map<String, Double> before = cpuMillis(processes);
            series.add(Load.run(SPLIT, "platform, " + on, concurrency, warmup, measure,
                    () -> List.of(Load.post(api + "/runs", run, PLATFORM_KEY)), Bench::completedRun, handles));
            if (processes.size() > 1) {
                // Which process spends what (the series' warm-up second included: shares, not a cost per run).
                Map<String, Double> after = cpuMillis(processes);
                double total = after.keySet().stream().mapToDouble(name -> after.get(name) - before.get(name)).sum();
                StringBuilder shares = new StringBuilder("    CPU by process:");
                after.forEach((name, cpu) -> shares.append(" %s %.0f %%".formatted(name,
                        100 * (cpu - before.get(name)) / total)));
                System.out.println(shares);
            }
        }
    }

    /**
     * The split services, started while the monolith still runs (their databases' pools open connections as they need
     * them: with every pool full from the start, the five processes would ask PostgreSQL for more than it allows).
     */
    private SplitPlatform startSplit(Map<String, String> providers, Map<String, Object> startup) throws Exception {
        SplitPlatform split = SplitPlatform.start(providers, List.of("--retinue.rate-limit.backend=redis",
                "--retinue.runtime.queue.max-per-tenant=16", "--spring.datasource.hikari.minimum-idle=2"));
        try {
            startup.put("split (slowest service)", split.startupSeconds());
            agents(split.gateway());
            // Four JVMs share the two cores with the load and the model: their JITs need far longer than one
            // (at 60 s they still compiled at more than a core's worth, and the series measured mostly that).
            // All four are watched: the gateway's settled while the runtime's still compiled 14 % of a core.
            warmUp(split.gateway(), "split", Duration.ofSeconds(10), MOST_WARM_UP_SPLIT, null,
                    List.copyOf(split.byRole().values()));
            return split;
        }
        catch (Exception failed) {
            split.close();
            throw failed;
        }
    }

    /**
     * Scenario 7 at c = 1: the monolith and the split in turns ({@link Turns}), next to the direct calls. Measured one
     * after the other, minutes apart, the two series differed by 1.5 ms more or less than the hop costs as this
     * machine's speed drifted between them.
     */
    private void oneAtATime(Platform monolith, SplitPlatform split, String model) throws Exception {
        String direct = oneStepModelRequest();
        String run = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        series.add(Load.run(SPLIT, "direct model call", 1, warmup, measure,
                () -> List.of(Load.post(model + "/chat/completions", direct, MODEL_KEY)), Bench::wholeAnswer,
                fastModel));
        Turns.Result turns = Turns.measure(SPLIT,
                new Turns.Side("platform, PostgreSQL", () -> Load.post(monolith.api + "/runs", run, PLATFORM_KEY),
                        List.of(monolith.handle())),
                new Turns.Side("platform, split", () -> Load.post(split.gateway().api + "/runs", run, PLATFORM_KEY),
                        List.copyOf(split.byRole().values())),
                quick ? 6 : 12, 25, Duration.ofSeconds(quick ? 15 : 60), Bench::completedRun);
        series.add(turns.a());
        series.add(turns.b());
        oneAtATime = turns;
    }

    private static Map<String, Double> cpuMillis(Map<String, ProcessHandle> processes) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, process) -> cpu.put(name,
                process.info().totalCpuDuration().map(used -> used.toNanos() / 1e6).orElse(Double.NaN)));
        return cpu;
    }

    /** The model request a one-step run of {@code bench-one} makes: what the baseline and the floor send directly. */
    private static String oneStepModelRequest() {
        return JSON.writeValueAsString(Map.of("model", "demo-echo", "stream", false, "messages", List.of(
                Map.of("role", "system", "content", "You answer."), Map.of("role", "user", "content", "hello"))));
    }

    /** Scenario 2: a tool-using run — two model calls and the calculator between them. */
    private void toolUsing(Platform platform, String model) throws Exception {
        String input = "use builtin__calculator with {\"expression\":\"6*7\"}";
        String run = JSON.writeValueAsString(Map.of("agent", "bench-tool", "input", input));
        String first = JSON.writeValueAsString(Map.of("model", "demo-echo", "stream", false, "messages", List.of(
                Map.of("role", "user", "content", input)), "tools", List.of(Map.of("type", "function", "function",
                        Map.of("name", "builtin__calculator", "parameters", Map.of("type", "object"))))));
        // The baseline makes the run's two model calls one after the other (the second is answered like the first:
        // the fake model's answer to a tool request is again a call, which costs it the same).
        series.add(Load.run("2 tool-using sync run", "direct model call", 16, warmup, measure,
                () -> List.of(Load.post(model + "/chat/completions", first, MODEL_KEY),
                        Load.post(model + "/chat/completions", first, MODEL_KEY)), Bench::wholeAnswer, fastModel));
        series.add(Load.run("2 tool-using sync run", "platform, h2", 16, warmup, measure,
                () -> List.of(Load.post(platform.api + "/runs", run, PLATFORM_KEY)), Bench::completedRun,
                platform.handle(), platform::allocatedBytes));
    }

    /**
     * Scenario 5: what authentication plus rate limiting cost per request, as the gateway's own timer
     * {@code retinue.gateway.admission} recorded it over a load of cheap authenticated reads.
     */
    private void admission(Platform platform, String buckets) throws Exception {
        double[] before = admissionTotals(platform);
        // At a concurrency the machine's two cores can serve without queueing, so the timer shows the work itself.
        Load.Series reads = Load.run("5 authenticated read", "platform, " + buckets, 4, warmup, measure,
                () -> List.of(Load.get(platform.api + "/agents/bench-one", PLATFORM_KEY)),
                response -> response.statusCode() == 200);
        double[] after = admissionTotals(platform);
        double requests = after[0] - before[0];
        double authMicros = (after[1] - before[1]) / requests * 1e6;
        double limitMicros = (after[3] - before[3]) / requests * 1e6;
        double p99 = (platform.metric("retinue.gateway.admission.percentile", "VALUE", "step:authentication",
                "phi:0.99") + platform.metric("retinue.gateway.admission.percentile", "VALUE", "step:rate-limit",
                        "phi:0.99")) * 1e6;
        System.out.printf("  admission (%s): authentication %.1f µs + rate limit %.1f µs = %.1f µs per request "
                + "(mean of %.0f); p99 of each, added: %.0f µs%n", buckets, authMicros, limitMicros,
                authMicros + limitMicros, requests, p99);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("buckets", buckets);
        row.put("requests", requests);
        row.put("authenticationMicros", authMicros);
        row.put("rateLimitMicros", limitMicros);
        row.put("totalMicros", authMicros + limitMicros);
        row.put("p99SumMicros", p99);
        row.put("readThroughput", reads.throughput());
        @SuppressWarnings("unchecked")
        List<Object> rows = (List<Object>) document.computeIfAbsent("admission", key -> new ArrayList<>());
        rows.add(row);
        if (buckets.equals("in process")) {
            targets.add(target("auth + rate limit <= 50 µs per request in process (mean)", authMicros + limitMicros
                    <= 50, "%.1f µs".formatted(authMicros + limitMicros)));
        }
    }

    /** Count and total seconds of both admission steps: [auth count, auth total, limit count, limit total]. */
    private static double[] admissionTotals(Platform platform) throws Exception {
        return new double[] {
                platform.metric("retinue.gateway.admission", "COUNT", "step:authentication"),
                platform.metric("retinue.gateway.admission", "TOTAL_TIME", "step:authentication"),
                platform.metric("retinue.gateway.admission", "COUNT", "step:rate-limit"),
                platform.metric("retinue.gateway.admission", "TOTAL_TIME", "step:rate-limit") };
    }

    /**
     * Scenario 3: {@code count} streaming runs open at once on a slow model — time to the first text event against
     * the same streams made directly, and what the platform holds per open stream (heap after GC, resident memory).
     */
    private void streaming(Platform platform, String model, int count) throws Exception {
        String direct = JSON.writeValueAsString(Map.of("model", "demo-echo", "stream", true, "messages",
                List.of(Map.of("role", "user", "content", "hello"))));
        String run = JSON.writeValueAsString(Map.of("agent", "bench-stream", "input", "hello"));
        Duration atMost = Duration.ofMinutes(4);
        int perSecond = 125;
        Streams.Outcome baseline = Streams.open("3 streams: first event", "direct model call", count, perSecond,
                () -> Load.post(model + "/chat/completions", direct, MODEL_KEY),
                line -> line.startsWith("data: {") && FIRST_CONTENT.matcher(line).find(), null, atMost, null);
        Platform.Memory idle = platform.memory();
        Platform.Memory[] held = new Platform.Memory[1];
        Streams.Outcome streamed = Streams.open("3 streams: first event", "platform, h2", count, perSecond,
                () -> HttpRequest.newBuilder(java.net.URI.create(platform.api + "/runs?mode=stream"))
                    .timeout(atMost)
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream")
                    .header("Authorization", PLATFORM_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(run))
                    .build(),
                line -> line.equals("event: text.delta"), line -> line.equals("event: run.completed"), atMost,
                () -> held[0] = platform.memory());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("streams", count);
        result.put("platform", streamed.firstEvent());
        result.put("baseline", baseline.firstEvent());
        result.put("completed", streamed.completed());
        result.put("baselineFirstEvents", baseline.completed());
        result.put("peakOpen", streamed.peakOpen());
        result.put("firstEventP50OverheadMs", streamed.firstEvent().p50() - baseline.firstEvent().p50());
        result.put("firstEventP99OverheadMs", streamed.firstEvent().p99() - baseline.firstEvent().p99());
        result.put("idleMemory", idle);
        result.put("heldMemory", held[0]);
        if (held[0] != null) {
            double heapPerStream = (held[0].heapMiB() - idle.heapMiB()) * 1024 / count;
            double residentPerStream = (held[0].residentMiB() - idle.residentMiB()) * 1024 / count;
            result.put("heapKiBPerStream", heapPerStream);
            result.put("residentKiBPerStream", residentPerStream);
            System.out.printf("  %d streams open at once: heap after GC %.0f MiB (%.1f KiB per stream), resident %.0f "
                    + "MiB (%.1f KiB per stream)%n", count, held[0].heapMiB(), heapPerStream, held[0].residentMiB(),
                    residentPerStream);
        }
        System.out.printf("  streams completed: platform %d of %d (direct: %d of %d had their first event); first event "
                + "p50 +%.1f ms, p99 +%.1f ms%n", streamed.completed(), count, baseline.completed(), count,
                streamed.firstEvent().p50() - baseline.firstEvent().p50(),
                streamed.firstEvent().p99() - baseline.firstEvent().p99());
        document.put("streaming", result);
        targets.add(target(count + " concurrent streams within a 1 GiB heap (heap after GC, all open)",
                held[0] != null && streamed.completed() == count && held[0].heapMiB() <= 1024, held[0] == null
                        ? "not all open at once" : "%.0f MiB, %d of %d completed".formatted(held[0].heapMiB(),
                                streamed.completed(), count)));
    }

    /**
     * Scenario 8: usage reports over 30 days of a million runs. The analytics module keeps day aggregates as runs end;
     * what a million runs would leave there (60 agents, two versions each, four models, 30 days; working times spread
     * over 25 histogram buckets, three tools, a third of the runs in 100,000 sessions) is generated straight into its
     * tables for a tenant of its own, and each report is asked for over HTTP, warmed up and then timed. Taking runs in
     * costs each run's end its share, which scenario 1's CPU per run includes.
     */
    private void reports(Platform platform, String database) throws Exception {
        String tenant = "bench-reports-" + Long.toString(System.nanoTime(), 36);
        HttpResponse<String> created = java.net.http.HttpClient.newHttpClient().send(Load.post(platform.api + "/tenants",
                JSON.writeValueAsString(Map.of("id", tenant, "name", "Reports")), PLATFORM_KEY),
                HttpResponse.BodyHandlers.ofString());
        String owner = "Bearer " + JSON.readTree(created.body()).at("/ownerKey/secret").asString();
        long generating = System.nanoTime();
        long runs;
        try (Connection connection = DriverManager.getConnection(database, TestDatabase.user(), TestDatabase.password());
                Statement statement = connection.createStatement()) {
            // 30 days x 60 agents x 2 versions = 3,600 rows of 277 or 278 runs: 1,000,000 in all.
            statement.execute("""
                    INSERT INTO analytics.usage_day SELECT '%s', CURRENT_DATE - d, 'agent-' || a, v,
                        'openai', 'model-' || (a %% 4), r.runs, r.runs * 90 / 100, r.runs * 7 / 100, r.runs / 100,
                        r.runs - r.runs * 90 / 100 - r.runs * 7 / 100 - r.runs / 100, r.runs / 50, r.runs / 3,
                        r.runs * 2, r.runs, r.runs / 20, r.runs * 900, r.runs * 150, r.runs * 0.0021, 0, r.runs * 2400
                    FROM generate_series(0, 29) d, generate_series(1, 60) a, generate_series(1, 2) v,
                        LATERAL (SELECT 277 + CASE WHEN (d * 120 + (a - 1) * 2 + v - 1) < 2800 THEN 1 ELSE 0 END
                            AS runs) r""".formatted(tenant));
            // Each row's runs over buckets 70..94 (about 0.8 s to 8 s), the remainder in the middle one.
            statement.execute("""
                    INSERT INTO analytics.latency_day SELECT u.tenant_id, u.utc_day, u.agent_slug, u.version,
                        u.provider, u.model, b, u.runs / 25 + CASE WHEN b = 82 THEN u.runs %% 25 ELSE 0 END
                    FROM analytics.usage_day u, generate_series(70, 94) b WHERE u.tenant_id = '%s'""".formatted(tenant));
            statement.execute("""
                    INSERT INTO analytics.tool_day SELECT u.tenant_id, u.utc_day, u.agent_slug, u.version,
                        'tool-' || t, u.runs / 3, u.runs / 60, u.runs / 3 * 120
                    FROM analytics.usage_day u, generate_series(1, 3) t WHERE u.tenant_id = '%s'""".formatted(tenant));
            // 100,000 sessions of about three turns, each on one day, agent and version.
            statement.execute("""
                    INSERT INTO analytics.session_day SELECT '%s', CURRENT_DATE - (s %% 30), 'agent-' || (1 + s / 30 %% 60),
                        1 + s / 1800 %% 2, 'openai', 'model-' || ((1 + s / 30 %% 60) %% 4), gen_random_uuid()
                    FROM generate_series(0, 99999) s""".formatted(tenant));
            try (ResultSet rs = statement.executeQuery("SELECT SUM(runs) FROM analytics.usage_day WHERE tenant_id = '"
                    + tenant + "'")) {
                rs.next();
                runs = rs.getLong(1);
            }
            statement.execute("VACUUM ANALYZE analytics.usage_day");
            statement.execute("VACUUM ANALYZE analytics.latency_day");
            statement.execute("VACUUM ANALYZE analytics.tool_day");
            statement.execute("VACUUM ANALYZE analytics.session_day");
        }
        System.out.printf("  reports: %,d runs generated in %.1f s%n", runs, (System.nanoTime() - generating) / 1e9);
        Map<String, String> reports = new LinkedHashMap<>();
        reports.put("all", "/analytics/usage");
        reports.put("top 10 agents by cost", "/analytics/usage?groupBy=agent&sort=-costUsd&limit=10");
        reports.put("by day", "/analytics/usage?groupBy=day");
        reports.put("by day, agent, version, model", "/analytics/usage?groupBy=day,agent,version,model&limit=100000");
        reports.put("top 10 tools", "/analytics/tools?groupBy=tool&sort=-calls&limit=10");
        reports.put("by day and agent, CSV", "/analytics/usage?groupBy=day,agent&limit=100000");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        result.put("days", 30);
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            for (Map.Entry<String, String> report : reports.entrySet()) {
                boolean csv = report.getKey().endsWith("CSV");
                HttpRequest request = HttpRequest.newBuilder(java.net.URI.create(platform.api + report.getValue()))
                    .header("Authorization", owner)
                    .header("Accept", csv ? "text/csv" : "application/json")
                    .build();
                int repeats = quick ? 5 : 20;
                long[] took = new long[repeats];
                String body = null;
                for (int i = -5; i < repeats; i++) {
                    long sent = System.nanoTime();
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(report.getValue() + " answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    if (i >= 0) {
                        took[i] = System.nanoTime() - sent;
                    }
                    body = response.body();
                }
                Arrays.sort(took);
                long rows = csv ? body.lines().count() - 1 : JSON.readTree(body).get("rows").size();
                double p50 = took[repeats / 2] / 1e6;
                double max = took[repeats - 1] / 1e6;
                System.out.printf("  report %-32s %6d rows  p50 %7.1f ms  max %7.1f ms%n", report.getKey(), rows, p50,
                        max);
                if (report.getKey().equals("all")) {
                    long answered = JSON.readTree(body).at("/rows/0/runs").asLong();
                    if (answered != runs) {
                        throw new IllegalStateException("the report counts " + answered + " runs, not " + runs);
                    }
                }
                result.put(report.getKey(), Map.of("path", report.getValue(), "rows", rows, "p50Ms", p50, "maxMs",
                        max));
            }
        }
        document.put("reports", result);
    }

    /**
     * Scenario 4: the durable queue on PostgreSQL — how fast async runs are accepted (each committed before its 202),
     * and how fast the workers complete them, read from the runs' own start and finish times.
     */
    private void async(Platform platform, String database, int count) throws Exception {
        String run = JSON.writeValueAsString(Map.of("agent", "bench-one", "input", "hello"));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long[] latencies = new long[count];
        int senders = 32;
        long started = System.nanoTime();
        try (var client = java.net.http.HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .build(); ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < senders; i++) {
                threads.submit(() -> {
                    for (int index = next.getAndIncrement(); index < count; index = next.getAndIncrement()) {
                        long sent = System.nanoTime();
                        HttpResponse<String> response = client.send(Load.post(platform.api + "/runs?mode=async", run,
                                PLATFORM_KEY), HttpResponse.BodyHandlers.ofString());
                        latencies[index] = System.nanoTime() - sent;
                        if (response.statusCode() != 202) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        double enqueueSeconds = (System.nanoTime() - started) / 1e9;
        Load.Series enqueue = Load.Series.of("4 async: enqueue", "platform, postgres", senders, latencies,
                refused.get(), enqueueSeconds, Double.NaN);
        enqueue.print();
        double[] span;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (Connection connection = DriverManager.getConnection(database, TestDatabase.user(), TestDatabase.password());
                Statement statement = connection.createStatement()) {
            while (true) {
                // Async runs are the ones that were queued; sync runs never are.
                try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FILTER (WHERE status IN ('queued', "
                        + "'running')), COUNT(*) FILTER (WHERE status = 'completed'), EXTRACT(EPOCH FROM MAX(finished_at) "
                        + "- MIN(queued_at)) FROM runtime.run WHERE queued_at IS NOT NULL")) {
                    rs.next();
                    if (rs.getLong(1) == 0 || System.nanoTime() > deadline) {
                        span = new double[] { rs.getLong(2), rs.getDouble(3) };
                        break;
                    }
                }
                Thread.sleep(200);
            }
        }
        double completions = span[0] / span[1];
        System.out.printf("  async: %d accepted in %.1f s (%.0f per s, p50 %.1f ms, p99 %.1f ms, %d refused); %.0f "
                + "completed in %.1f s from the first enqueue: %.1f runs/s%n", count - refused.get(), enqueueSeconds,
                enqueue.throughput(), enqueue.p50(), enqueue.p99(), refused.get(), span[0], span[1], completions);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", count);
        result.put("enqueue", enqueue);
        result.put("completed", span[0]);
        result.put("completionSeconds", span[1]);
        result.put("completionsPerSecond", completions);
        series.stream()
            .filter(one -> one.scenario().startsWith("1") && one.target().startsWith("direct") && one.concurrency() == 16)
            .findFirst()
            .ifPresent(baseline -> {
                result.put("baselineThroughputAt16", baseline.throughput());
                result.put("completionRatio", completions / baseline.throughput());
            });
        document.put("async", result);
    }

    /** A model's answer that arrived whole: a streamed one to its end, or an answer sent at once. */
    private static boolean wholeAnswer(HttpResponse<String> response) {
        return response.statusCode() == 200 && (response.body().contains("[DONE]")
                || response.body().contains("\"finish_reason\""));
    }

    private static boolean completedRun(HttpResponse<String> response) {
        return response.statusCode() / 100 == 2 && response.body().contains("\"completed\"");
    }

    private static String target(String what, boolean met, String value) {
        return "%-78s %-26s %s".formatted("target " + what + ":", value, met ? "MET" : "NOT MET");
    }

    private void report() throws IOException {
        System.out.println();
        System.out.printf("%-28s %-20s %5s %10s %11s %7s %9s %9s %9s %7s %11s %7s %8s %6s%n", "scenario", "platform on",
                "c", "req/s", "direct/s", "ratio", "p50 +ms", "p90 +ms", "p99 +ms", "errors", "cpu ms/run", "÷floor",
                "KiB/run", "busy");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Load.Series platform : series.stream()
            .filter(one -> one.target().startsWith("platform") || one.target().equals(FLOOR))
            .toList()) {
            String on = platform.target().equals(FLOOR) ? FLOOR : platform.target().substring("platform, ".length());
            // Its own direct calls where it has some (scenario 7 measures them next to each of its platforms).
            Load.Series baseline = series.stream()
                .filter(one -> one.target().startsWith("direct") && one.scenario().equals(platform.scenario())
                        && one.concurrency() == platform.concurrency())
                .min(java.util.Comparator.comparing(one -> one.target().endsWith("(" + on + ")") ? 0 : 1))
                .orElse(null);
            if (baseline == null) {
                continue;
            }
            double ratio = platform.throughput() / baseline.throughput();
            double overFloor = overFloor(platform);
            System.out.printf("%-28s %-20s %5d %10.1f %11.1f %6.0f%% %9.2f %9.2f %9.2f %7d %11.2f %7s %8s %5.0f%%%n",
                    platform.scenario(), on, platform.concurrency(), platform.throughput(),
                    baseline.throughput(), ratio * 100, platform.p50() - baseline.p50(), platform.p90() - baseline.p90(),
                    platform.p99() - baseline.p99(), platform.errors(),
                    platform.cpuMsPerRequest() == null ? Double.NaN : platform.cpuMsPerRequest(),
                    Double.isNaN(overFloor) ? "-" : "%.1f×".formatted(overFloor),
                    platform.allocKiBPerRequest() == null ? "-" : "%.0f".formatted(platform.allocKiBPerRequest()),
                    platform.machineBusy() == null ? Double.NaN : platform.machineBusy() * 100);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", platform.scenario());
            row.put("on", on);
            row.put("concurrency", platform.concurrency());
            row.put("platform", platform);
            row.put("baseline", baseline);
            row.put("throughputRatio", ratio);
            row.put("p50OverheadMs", platform.p50() - baseline.p50());
            row.put("p90OverheadMs", platform.p90() - baseline.p90());
            row.put("p99OverheadMs", platform.p99() - baseline.p99());
            row.put("cpuOverFloor", Double.isNaN(overFloor) ? null : overFloor);
            rows.add(row);
        }
        document.put("overhead", rows);
        System.out.println();
        targets.addAll(0, costTargets(rows));
        splitAgainstMonolith(rows);
        targets.forEach(System.out::println);
        document.put("targets", targets);
        floorAt64(rows);
        // A quick pass does not replace the full run's results.
        String suffix = quick ? "-quick" : "";
        Files.writeString(results.resolve("latest" + suffix + ".json"), JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsString(document));
        Predicate<Load.Series> scenarioOne = one -> one.scenario().startsWith("1");
        Files.writeString(results.resolve("latency" + suffix + ".svg"), Chart.latency("One-step sync run: latency against "
                + "concurrency", series.stream().filter(scenarioOne).toList()));
        System.out.println("written: " + results.resolve("latest" + suffix + ".json") + ", "
                + results.resolve("latency" + suffix + ".svg"));
    }

    /**
     * A series' server CPU per run over the pass-through floor's CPU per forwarded call at the same concurrency (the
     * nearest one measured where the floor was not measured at its own): what a run costs beyond the least any server
     * passing the call on costs on this machine that day. NaN without either.
     */
    private double overFloor(Load.Series platform) {
        if (platform.cpuMsPerRequest() == null || platform.target().equals(FLOOR)) {
            return Double.NaN;
        }
        return series.stream()
            .filter(one -> one.target().equals(FLOOR) && one.cpuMsPerRequest() != null)
            .min(java.util.Comparator.comparingInt(one -> Math.abs(one.concurrency() - platform.concurrency())))
            .map(floor -> platform.cpuMsPerRequest() / floor.cpuMsPerRequest())
            .orElse(Double.NaN);
    }

    /**
     * What a run costs, against the targets (the pass-through floor in the same run cancels this machine's speed of
     * the day): the embedded default's CPU per one-step run at c = 64 and per tool-using run at c = 16 over the floor's,
     * its added p50 one request at a time, its allocation per run, its throughput against the direct calls, and
     * PostgreSQL with Redis against it at c = 64. A target whose series a pass did not measure is left out.
     */
    private List<String> costTargets(List<Map<String, Object>> rows) {
        List<String> met = new ArrayList<>();
        Map<String, Object> oneStep64 = row(rows, "1", "h2", 64);
        Map<String, Object> toolUsing16 = row(rows, "2", "h2", 16);
        Map<String, Object> oneStep1 = row(rows, "1", "h2", 1);
        Map<String, Object> postgres64 = row(rows, "1", "postgres", 64);
        if (oneStep64 != null && oneStep64.get("cpuOverFloor") instanceof Double over) {
            met.add(target("CPU per one-step run <= 1.5x the floor's per call at c=64", over <= 1.5,
                    "%.1f× (%.2f ms)".formatted(over, ((Load.Series) oneStep64.get("platform")).cpuMsPerRequest())));
        }
        if (toolUsing16 != null && toolUsing16.get("cpuOverFloor") instanceof Double over) {
            met.add(target("CPU per tool-using run <= 2.5x the floor's per call at c=16", over <= 2.5,
                    "%.1f× (%.2f ms)".formatted(over, ((Load.Series) toolUsing16.get("platform")).cpuMsPerRequest())));
        }
        if (oneStep1 != null) {
            double added = (double) oneStep1.get("p50OverheadMs");
            met.add(target("added p50 <= 0.8 ms per one-step run at c=1", added <= 0.8, "%.2f ms".formatted(added)));
        }
        if (oneStep64 != null && ((Load.Series) oneStep64.get("platform")).allocKiBPerRequest() instanceof Double kib) {
            met.add(target("allocation <= 100 KiB per one-step run at c=64", kib <= 100, "%.0f KiB".formatted(kib)));
        }
        if (oneStep64 != null) {
            double ratio = (double) oneStep64.get("throughputRatio");
            met.add(target("throughput >= 50 % of the direct baseline at c=64", ratio >= 0.5,
                    "%.0f %%".formatted(ratio * 100)));
        }
        if (oneStep64 != null && postgres64 != null) {
            double ratio = ((Load.Series) postgres64.get("platform")).throughput()
                    / ((Load.Series) oneStep64.get("platform")).throughput();
            met.add(target("runs/s on PostgreSQL + Redis >= 0.9x the embedded default's at c=64", ratio >= 0.9,
                    "%.2f×".formatted(ratio)));
        }
        return met;
    }

    private static Map<String, Object> row(List<Map<String, Object>> rows, String scenario, String on, int concurrency) {
        return rows.stream()
            .filter(row -> row.get("scenario").toString().startsWith(scenario) && row.get("on").equals(on)
                    && (int) row.get("concurrency") == concurrency)
            .findFirst()
            .orElse(null);
    }

    /**
     * Scenario 7's targets: the split services add at most 1.5 ms to a one-step run's p50 at c = 1 over the monolith
     * (both on PostgreSQL, measured in turns), and cost at most 1.5 times its CPU per run (at c = 16 and 64 each series
     * over its own direct calls).
     */
    private void splitAgainstMonolith(List<Map<String, Object>> rows) {
        Map<Integer, Map<String, Map<String, Object>>> byConcurrency = new java.util.TreeMap<>();
        rows.stream()
            .filter(row -> row.get("scenario").equals(SPLIT))
            .forEach(row -> byConcurrency.computeIfAbsent((int) row.get("concurrency"), c -> new LinkedHashMap<>())
                .put(row.get("on").toString(), row));
        List<Map<String, Object>> comparison = new ArrayList<>();
        byConcurrency.forEach((concurrency, pair) -> {
            Map<String, Object> monolith = pair.get("PostgreSQL");
            Map<String, Object> split = pair.get("split");
            if (monolith == null || split == null) {
                return;
            }
            // At c = 1 the median of the turns' differences: the one least moved by this machine's drift.
            double addedP50 = concurrency == 1 && oneAtATime != null ? oneAtATime.addedP50Ms()
                    : (double) split.get("p50OverheadMs") - (double) monolith.get("p50OverheadMs");
            Double splitCpu = ((Load.Series) split.get("platform")).cpuMsPerRequest();
            Double monolithCpu = ((Load.Series) monolith.get("platform")).cpuMsPerRequest();
            double cpuRatio = splitCpu == null || monolithCpu == null ? Double.NaN : splitCpu / monolithCpu;
            // Four JVMs compile the same code side by side on two cores: compiled, what a run costs them.
            Double splitCompiled = ((Load.Series) split.get("platform")).cpuMsPerRequestCompiled();
            Double monolithCompiled = ((Load.Series) monolith.get("platform")).cpuMsPerRequestCompiled();
            double compiledRatio = splitCompiled == null || monolithCompiled == null ? Double.NaN
                    : splitCompiled / monolithCompiled;
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("concurrency", concurrency);
            one.put("addedP50Ms", addedP50);
            one.put("cpuMsPerRunSplit", splitCpu);
            one.put("cpuMsPerRunMonolith", monolithCpu);
            one.put("cpuRatio", cpuRatio);
            one.put("cpuMsPerRunSplitWithoutJit", splitCompiled);
            one.put("cpuMsPerRunMonolithWithoutJit", monolithCompiled);
            one.put("cpuRatioWithoutJit", compiledRatio);
            comparison.add(one);
            if (concurrency == 1 && oneAtATime != null) {
                one.put("addedP50LowerQuartileMs", oneAtATime.addedP50LowerQuartileMs());
                one.put("addedP50UpperQuartileMs", oneAtATime.addedP50UpperQuartileMs());
                one.put("turns", oneAtATime.blocks());
            }
            System.out.printf("split against the monolith at c=%d: p50 %+.2f ms, CPU per run %.2f ms against %.2f ms "
                    + "(%.2f×), without the JIT's %.2f ms against %.2f ms (%.2f×)%n", concurrency, addedP50, splitCpu,
                    monolithCpu, cpuRatio, splitCompiled, monolithCompiled, compiledRatio);
            if (concurrency == 1) {
                targets.add(target("split adds <= 1.5 ms p50 per one-step run at c=1", addedP50 <= 1.5,
                        "%.2f ms".formatted(addedP50)));
            }
            targets.add(target("split CPU per run <= 1.5x the monolith's at c=" + concurrency, cpuRatio <= 1.5,
                    "%.2f×".formatted(cpuRatio)));
        });
        if (!comparison.isEmpty()) {
            document.put("splitAgainstMonolith", comparison);
        }
    }

    /**
     * Says what the pass-through adds at c = 64, against the direct calls and under the platform's figures: the part of
     * the platform's overhead any server on its stack would add on this machine, and the part that is its own work.
     */
    private void floorAt64(List<Map<String, Object>> rows) {
        Map<String, Object> floor = row(rows, "1", FLOOR, 64);
        Map<String, Object> platform = row(rows, "1", "h2", 64);
        if (floor == null || platform == null) {
            return;
        }
        double floorP50 = (double) floor.get("p50OverheadMs");
        double floorP99 = (double) floor.get("p99OverheadMs");
        double ownP50 = (double) platform.get("p50OverheadMs") - floorP50;
        double ownP99 = (double) platform.get("p99OverheadMs") - floorP99;
        System.out.printf("at c=64 the pass-through floor adds p50 %.2f ms, p99 %.2f ms (%.2f ms CPU per call); the "
                + "platform on H2 adds p50 %.2f ms, p99 %.2f ms over that%n", floorP50, floorP99,
                ((Load.Series) floor.get("platform")).cpuMsPerRequest(), ownP50, ownP99);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("floorP50OverheadMs", floorP50);
        summary.put("floorP99OverheadMs", floorP99);
        summary.put("platformOverFloorP50Ms", ownP50);
        summary.put("platformOverFloorP99Ms", ownP99);
        // Whether the machine's cores were all busy: then the series waited for a core too, and what the platform adds
        // at c = 64 is its CPU per run showing up as queueing, not a delay a run would have on a machine of its own.
        Load.Series direct = (Load.Series) platform.get("baseline");
        Load.Series own = (Load.Series) platform.get("platform");
        Load.Series passThrough = (Load.Series) floor.get("platform");
        if (direct.machineBusy() != null && passThrough.machineBusy() != null && own.machineBusy() != null
                && own.cpuMsPerRequest() != null) {
            double platformCores = own.cpuMsPerRequest() * own.throughput() / 1000;
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("at c=64 this machine's %d cores were %.0f %% busy during the direct calls, %.0f %% during "
                    + "the floor's and %.0f %% during the platform's (the platform itself used %.2f cores of them)%n",
                    cores, direct.machineBusy() * 100, passThrough.machineBusy() * 100,
                    own.machineBusy() * 100, platformCores);
            summary.put("machineCores", cores);
            summary.put("machineBusyDirect", direct.machineBusy());
            summary.put("machineBusyFloor", passThrough.machineBusy());
            summary.put("machineBusyPlatform", own.machineBusy());
            summary.put("platformCores", platformCores);
        }
        document.put("floorAt64", summary);
    }

    /** An OTLP/HTTP endpoint that takes spans and drops them; its URL. */
    private static final class SpanSink {

        static String start() throws IOException {
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 64);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.start();
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
        }
    }

    private int startFakeModel(long firstTokenMillis, long tokenMillis, int words) throws IOException {
        return startProcess(FakeModelServer.class, "fake-model-server listening on ", "0",
                String.valueOf(firstTokenMillis), String.valueOf(tokenMillis), String.valueOf(words));
    }

    /** Starts a server of the test tree as a process of its own; answers the port it said it listens on. */
    private int startProcess(Class<?> main, String listening, String... arguments) throws IOException {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith(listening)) {
            throw new IllegalStateException(main.getSimpleName() + " did not start: " + line);
        }
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }
}
