package io.retinue.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;

/**
 * The container image the build wrote ({@code target/image/retinue-image.tar}, an OCI layout) as a container runtime
 * would run it, without one: its layers unpacked in order into a root file system, its entrypoint started there with
 * its environment, working directory and user, {@code /proc}, {@code /dev} and {@code /sys} mounted in a mount
 * namespace of its own. Needs root (to change the root directory); run by failsafe after the image is built.
 */
class ContainerImageIT {

    private static final Path IMAGE = Path.of("target", "image", "retinue-image.tar");

    @TempDir
    static Path work;

    private static JsonNode config;
    private static Path root;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(IMAGE).as("the image tarball (built by `./mvnw verify`)").exists();
        Path layout = Files.createDirectories(work.resolve("layout"));
        run(List.of("tar", "-xf", IMAGE.toAbsolutePath().toString(), "-C", layout.toString()));
        JsonNode index = Api.JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = Api.JSON.readTree(blob(layout, index.get("manifests").get(0).get("digest").asString()).toFile());
        config = Api.JSON.readTree(blob(layout, manifest.get("config").get("digest").asString()).toFile());
        root = Files.createDirectories(work.resolve("root"));
        for (JsonNode layer : manifest.get("layers")) {
            assertThat(layer.get("mediaType").asString()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", blob(layout, layer.get("digest").asString())
                .toString(), "-C", root.toString()));
        }
    }

    @Test
    void describesANonRootProcessSizedFromTheContainersMemory() {
        JsonNode image = config.get("config");
        assertThat(image.get("User").asString()).isEqualTo("10001:0");
        assertThat(image.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(image.get("WorkingDir").asString()).isEqualTo("/var/lib/retinue");
        assertThat(strings(image.get("Entrypoint"))).startsWith("java").contains("-XX:VMOptionsFile=/app/jvm.options",
                "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "io.retinue.RetinueApplication");
        assertThat(strings(image.get("Env"))).contains("PATH=/opt/java/bin", "RETINUE_DATA_DIR=/var/lib/retinue");
        assertThat(image.get("Labels").get("org.opencontainers.image.title").asString()).isEqualTo("Retinue");
        // The application as jars only (an AOT cache needs them), its own classes in one.
        assertThat(root.resolve("app/classpath/retinue.original.jar")).exists();
        assertThat(root.resolve("app/classes")).doesNotExist();
        // Nothing but the runtime and the application: no shell to run anything else with.
        assertThat(root.resolve("bin/sh")).doesNotExist();
        assertThat(root.resolve("usr/bin")).doesNotExist();
    }

    @Test
    void startsOnTheEmbeddedDefaultAsItsUserAndRunsAnAgent() throws Exception {
        String uid = Files.readString(Path.of("/proc/self/status")).lines()
            .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        if (!"0".equals(uid)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("ContainerImageIT runs the image's root file system as root under CI");
            }
            Assumptions.abort("running the image's root file system needs root (this JVM runs as uid " + uid + ")");
        }
        JsonNode image = config.get("config");
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String user = image.get("User").asString();
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--fork", "--", "sh", "-c",
                // The mounts a container runtime gives a container, in this namespace only; then the image's own
                // environment alone, its root, working directory and user.
                "mount --rbind /dev \"$0/dev\" && mount -t proc proc \"$0/proc\" && mount --rbind /sys \"$0/sys\" "
                        + "&& exec env -i \"$@\"",
                root.toString()));
        command.addAll(strings(image.get("Env")));
        // The build trained an AOT cache on the image (it ran as root, as this test does): with AOTMode=on the JVM
        // refuses to start unless the cache /app/jvm.options names is there and fits the image's files.
        assertThat(Files.readString(root.resolve("app/jvm.options")).strip()).isEqualTo("-XX:AOTCache=/app/retinue.aot");
        assertThat(root.resolve("app/retinue.aot")).isNotEmptyFile();
        command.add("JDK_JAVA_OPTIONS=-XX:AOTMode=on");
        command.addAll(List.of("RETINUE_PORT=" + port, "RETINUE_BOOTSTRAP_API_KEY=" + PlatformIT.ADMIN_KEY,
                "/usr/bin/unshare", "--root=" + root, "--wd=" + image.get("WorkingDir").asString(),
                "--setgid", user.split(":")[1], "--setuid", user.split(":")[0], "--"));
        command.addAll(strings(image.get("Entrypoint")));
        Path log = work.resolve("container.log");
        Process container = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(container.isAlive()).as("the container's process (log: %s)", Files.readString(log)).isTrue();
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200;
                }
                catch (IOException notYet) {
                    return false;
                }
            });
            ProcessHandle java = container.descendants().filter(process -> process.info().command()
                .map(path -> path.endsWith("/java")).orElse(false)).findFirst().orElseThrow();
            assertThat(Files.readString(Path.of("/proc", String.valueOf(java.pid()), "status")).lines()
                .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow()).startsWith("Uid:\t10001\t");

            Api api = new Api(port, PlatformIT.ADMIN_KEY);
            api.post("/api/v1/agents", Agents.create("image-bot", Map.of())).expect(201);
            api.post("/api/v1/agents/image-bot/versions/1/publish", "").expect(200);
            JsonNode run = api.post("/api/v1/runs", Map.of("agent", "image-bot", "input", "hello",
                    "variables", Map.of("company", "ACME"))).expect(201).json().get("run");
            assertThat(run.get("status").asString()).isEqualTo("completed");
            assertThat(run.get("output").asString()).contains("[demo model]");
            // The embedded database and the generated master key went to the working directory, as the image's
            // user: the only place it may write besides /tmp.
            assertThat(root.resolve("var/lib/retinue/data/retinue.mv.db")).exists();
            assertThat(root.resolve("var/lib/retinue/master.key")).exists();

            java.destroy();
            assertThat(container.waitFor(60, TimeUnit.SECONDS)).as("stopped within its graceful shutdown").isTrue();
            assertThat(Files.readString(log)).contains("Graceful shutdown complete");
        }
        finally {
            container.descendants().forEach(ProcessHandle::destroyForcibly);
            container.destroyForcibly();
        }
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes());
        }
        assertThat(process.waitFor()).as("%s: %s", command, output).isZero();
    }
}
