import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The training run of {@code deploy/aot/build} (run from source: {@code java deploy/aot/Training.java DIR}). Starts the
 * extracted platform in {@code DIR} with {@code -XX:AOTCacheOutput} on a throwaway embedded database, sends it what
 * clients send — sync, tool-using, streamed and async runs, reads, lists and refused requests — so that the classes
 * and method profiles of those paths go into the cache, stops it (the JVM writes the cache as it exits), then starts
 * it again with {@code -XX:AOTMode=on}, which refuses to start without a usable cache, and reports both start-ups.
 * With {@code --image=ROOT} it trains the container image instead ({@code deploy/image/train}): the image's root file
 * system unpacked in {@code ROOT}, its runtime and class path started there as the image's user, so that the cache
 * matches the files the image runs; the cache is written to {@code ROOT/var/lib/retinue/retinue.aot}.
 */
public class Training {

    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    private static final int CLIENTS = 16;

    public static void main(String[] args) throws Exception {
        Launch launch = null;
        int seconds = 30;
        for (String arg : args) {
            if (arg.startsWith("--seconds=")) {
                seconds = Integer.parseInt(arg.substring("--seconds=".length()));
            }
            else if (arg.startsWith("--image=")) {
                launch = new Image(Path.of(arg.substring("--image=".length())).toAbsolutePath());
            }
            else if (launch == null) {
                launch = new Extracted(Path.of(arg).toAbsolutePath());
            }
        }
        Path cache = launch.cache();
        Instance training = Instance.start(launch, "-XX:AOTCacheOutput=" + launch.seen(cache));
        System.out.printf("training run ready in %.1f s; sending it %d s of runs%n", training.readySeconds, seconds);
        Map<String, AtomicInteger> answers = training.workload(Duration.ofSeconds(seconds));
        System.out.println("answers: " + answers);
        training.stop();
        if (answers.keySet().stream().anyMatch(kind -> kind.matches(".* 5\\d\\d"))) {
            throw new IllegalStateException("the training run answered with server errors; see " + training.log);
        }
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training run wrote no cache; see " + training.log);
        }
        Instance cached = Instance.start(launch, "-XX:AOTMode=on", "-XX:AOTCache=" + launch.seen(cache));
        cached.stop();
        System.out.printf("%s: %d MiB. Ready in %.1f s with it (%.1f s in the training run, which starts as without).%n",
                cache, Files.size(cache) >> 20, cached.readySeconds, training.readySeconds);
        if (launch instanceof Extracted extracted) {
            System.out.printf("Run the platform from it, with this JDK and these files:%n  java -XX:AOTCache=%s -jar %s%n",
                    cache, extracted.directory().resolve("retinue.jar"));
        }
    }

    /** How the platform is started: its command line around the JVM options, and where the cache goes. */
    private sealed interface Launch permits Extracted, Image {

        List<String> command(List<String> options, List<String> arguments);

        Path cache();

        /** The cache's path as the started JVM sees it. */
        String seen(Path cache);
    }

    /** The jar extracted by {@code deploy/aot/build}, run by this JDK. */
    private record Extracted(Path directory) implements Launch {

        public List<String> command(List<String> options, List<String> arguments) {
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            command.addAll(options);
            command.addAll(List.of("-jar", directory.resolve("retinue.jar").toString()));
            command.addAll(arguments);
            return command;
        }

        public Path cache() {
            return directory.resolve("retinue.aot");
        }

        public String seen(Path cache) {
            return cache.toString();
        }
    }

    /**
     * The container image's root file system, its entrypoint's runtime and class path started in it as a container
     * runtime would (a mount namespace with /dev, /proc and /sys; its root, working directory and user); needs root.
     */
    private record Image(Path root) implements Launch {

        public List<String> command(List<String> options, List<String> arguments) {
            List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--fork", "--", "sh", "-c",
                    "mount --rbind /dev \"$0/dev\" && mount -t proc proc \"$0/proc\" && mount --rbind /sys \"$0/sys\" "
                            + "&& exec env -i \"$@\"",
                    root.toString(), "PATH=/opt/java/bin", "JAVA_HOME=/opt/java", "/usr/bin/unshare", "--root=" + root,
                    "--wd=/var/lib/retinue", "--setgid", "0", "--setuid", "10001", "--", "java"));
            command.addAll(options);
            command.addAll(List.of("-cp", "@/app/jib-classpath-file", "io.retinue.RetinueApplication"));
            command.addAll(arguments);
            return command;
        }

        public Path cache() {
            return root.resolve("var/lib/retinue/retinue.aot");
        }

        public String seen(Path cache) {
            return "/" + root.relativize(cache);
        }
    }

    /** One platform process in a working directory of its own (so its embedded database is thrown away after). */
    private record Instance(Process process, String base, String key, Path log, double readySeconds) {

        static Instance start(Launch launch, String... options) throws Exception {
            Path work = Files.createTempDirectory("retinue-aot-");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            String key = "rtn_AotTraining1_" + secret();
            List<String> arguments = new ArrayList<>(List.of("--server.port=" + port,
                    "--retinue.security.bootstrap-api-key=" + key));
            // Rate limits stay on (their code is trained too), with room for the workload.
            for (String routes : List.of("execute", "write", "read")) {
                for (String per : List.of("principal", "tenant")) {
                    arguments.add("--retinue.rate-limit.classes." + routes + "." + per + "=100000000");
                }
            }
            List<String> command = launch.command(List.of(options), arguments);
            Path log = work.resolve("platform.log");
            long starting = System.nanoTime();
            Process process = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            String base = "http://127.0.0.1:" + port;
            try (HttpClient client = HttpClient.newHttpClient()) {
                long deadline = starting + READY_WITHIN.toNanos();
                while (System.nanoTime() < deadline) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the platform did not start; see " + log);
                    }
                    try {
                        if (client.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                            return new Instance(process, base, key, log, (System.nanoTime() - starting) / 1e9);
                        }
                    }
                    catch (IOException notYet) {
                        // Not listening yet.
                    }
                    Thread.sleep(50);
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("the platform was not ready within " + READY_WITHIN + "; see " + log);
        }

        private static String secret() {
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            SecureRandom random = new SecureRandom();
            StringBuilder secret = new StringBuilder();
            for (int i = 0; i < 32; i++) {
                secret.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return secret.toString();
        }

        /** What clients send, from {@link #CLIENTS} at once for {@code length}; answers counted by kind and status. */
        Map<String, AtomicInteger> workload(Duration length) throws Exception {
            Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
            try (HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
                expect(client, 201, "POST", "/api/v1/agents", """
                        {"slug": "aot-training", "name": "AOT training", "config": {
                          "model": {"provider": "demo", "name": "demo-echo"},
                          "instructions": {"system": "You answer."},
                          "tools": [{"name": "builtin.calculator"}]}}""");
                expect(client, 200, "POST", "/api/v1/agents/aot-training/versions/1/publish", "{}");
                expect(client, 201, "POST", "/api/v1/tool-grants",
                        "{\"subject\": \"agent:aot-training\", \"tools\": \"builtin.calculator\", \"effect\": \"allow\"}");
                long until = System.nanoTime() + length.toNanos();
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < CLIENTS; i++) {
                        clients.submit(() -> {
                            while (System.nanoTime() < until) {
                                for (Map.Entry<String, HttpRequest> request : requests().entrySet()) {
                                    HttpResponse<Stream<String>> response = client.send(request.getValue(),
                                            HttpResponse.BodyHandlers.ofLines());
                                    response.body().forEach(line -> {
                                    });
                                    answers.computeIfAbsent(request.getKey() + " " + response.statusCode(),
                                            kind -> new AtomicInteger()).incrementAndGet();
                                }
                            }
                            return null;
                        });
                    }
                }
            }
            return answers;
        }

        private Map<String, HttpRequest> requests() {
            String hello = "{\"agent\": \"aot-training\", \"input\": \"hello\"}";
            String sum = "{\"agent\": \"aot-training\", \"input\": \"What is 6 * 7?\"}";
            return Map.of(
                    "sync run", post("/api/v1/runs", hello),
                    "tool-using sync run", post("/api/v1/runs", sum),
                    "streamed run", post("/api/v1/runs?mode=stream", sum),
                    "async run", post("/api/v1/runs?mode=async", hello),
                    "run list", request("GET", "/api/v1/runs?limit=20", null),
                    "agent", request("GET", "/api/v1/agents/aot-training", null),
                    "invalid run", post("/api/v1/runs", "{\"agent\": \"aot-training\", \"input\": \"\"}"),
                    "agent not runnable", post("/api/v1/runs", "{\"agent\": \"no-such-agent\", \"input\": \"hi\"}"));
        }

        private HttpRequest post(String path, String json) {
            return request("POST", path, json);
        }

        private HttpRequest request(String method, String path, String json) {
            return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(60))
                .build();
        }

        private void expect(HttpClient client, int status, String method, String path, String json) throws Exception {
            HttpResponse<String> response = client.send(request(method, path, json), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != status) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        }

        /**
         * Stops it as an orchestrator would (SIGTERM to the JVM, also where it runs under {@code unshare}); the
         * training run's JVM writes the cache on its way out.
         */
        void stop() throws Exception {
            process.descendants().filter(child -> child.info().command().orElse("").endsWith("/java")).findFirst()
                .ifPresentOrElse(ProcessHandle::destroy, process::destroy);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the platform did not stop within 5 minutes; see " + log);
            }
        }
    }
}
