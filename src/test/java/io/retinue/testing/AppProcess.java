package io.retinue.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The application in a process of its own — the main classes and dependencies only, no test code — on a database
 * the test chooses, with the test tree's fake model server as provider {@code fake}. For tests of what happens across
 * processes: crashes (SIGKILL), and several instances sharing one database.
 */
public final class AppProcess implements AutoCloseable {

    private final String database;
    private final int port;
    private final String adminKey;
    private final List<String> extra = new ArrayList<>();
    private final Path log;
    /** Where the process runs: the embedded default puts its database there. */
    private final Path directory;
    /** Another build's packaged jar to run instead of this build's classes (an upgrade test's previous release). */
    private Path jar;
    private Process process;
    private int starts;

    public AppProcess(String database, String adminKey, String... extra) {
        this(database, null, adminKey, extra);
    }

    /**
     * The application on its embedded default (an H2 file database under {@code directory}, which is its working
     * directory): no datasource is configured.
     */
    public static AppProcess embedded(Path directory, String adminKey, String... extra) {
        return new AppProcess(null, directory, adminKey, extra);
    }

    private AppProcess(String database, Path directory, String adminKey, String... extra) {
        this.database = database;
        this.directory = directory;
        this.adminKey = adminKey;
        this.extra.addAll(List.of(extra));
        try {
            this.port = freePort();
            this.log = Files.createTempFile("retinue-app", ".log");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs that packaged jar (another build of Retinue) instead of this build's classes. */
    public AppProcess runningJar(Path packaged) {
        this.jar = packaged;
        return this;
    }

    /** More arguments for the next start: what depends on the ports of processes made after this one. */
    public AppProcess with(String... more) {
        extra.addAll(List.of(more));
        return this;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** How often the process was started (again after a kill). */
    public int starts() {
        return starts;
    }

    /** Starts the process (again, on the same port, after a kill) and waits until it answers its health check. */
    public AppProcess start() {
        starts++;
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(jar == null
                ? List.of(javaBinary, "-Xmx512m", "-cp", classpath(), "io.retinue.RetinueApplication")
                : List.of(javaBinary, "-Xmx512m", "-jar", jar.toString()));
        command.add("--server.port=" + port);
        if (database != null) {
            command.addAll(List.of("--spring.datasource.url=" + database,
                    "--spring.datasource.username=" + TestDatabase.user(),
                    "--spring.datasource.password=" + TestDatabase.password(),
                    // Several processes share the test PostgreSQL (100 connections): each opens a few, not twenty.
                    "--spring.datasource.hikari.maximum-pool-size=12", "--spring.datasource.hikari.minimum-idle=2",
                    "--spring.datasource.hikari.idle-timeout=10000"));
        }
        command.addAll(List.of(
                "--retinue.security.bootstrap-api-key=" + adminKey,
                "--retinue.security.master-key=" + PlatformIT.MASTER_KEY,
                "--retinue.runtime.providers.fake.base-url=" + FakeModelServer.get().baseUrl(),
                "--retinue.runtime.providers.fake.api-key=" + FakeModelServer.API_KEY,
                "--retinue.agents.providers=demo,fake",
                "--retinue.tools.http.allowed-internal=localhost:" + TestUpstream.shared().port(),
                "--retinue.rate-limit.enabled=false",
                "--logging.level.root=WARN",
                "--logging.level.org.springframework.boot.StartupInfoLogger=INFO",
                "--logging.level.io.retinue=INFO"));
        command.addAll(extra);
        try {
            process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Api api = new Api(port, adminKey);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
            .ignoreExceptionsInstanceOf(UncheckedIOException.class)
            .until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the application did not start; see " + log + ":\n"
                            + Files.readString(log).lines().filter(line -> line.contains("ERROR") || line.contains("Exception"))
                                .limit(5).reduce("", (a, b) -> a + b + "\n"));
                }
                return api.call("GET", "/actuator/health").anonymous().send().status() == 200;
            });
        return this;
    }

    /** SIGTERM, as an orchestrator stops a container: the application shuts down gracefully; waits until it has. */
    public void stop() {
        process.destroy();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within a minute; see " + log).isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** SIGKILL: no shutdown hook, no graceful anything. */
    public void kill() {
        try {
            new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).inheritIO().start().waitFor();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** This test JVM's class path without the test classes (surefire hands it over in a manifest-only jar). */
    private static String classpath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .flatMap(entry -> entry.endsWith(".jar") && entry.contains("surefire") ? manifestClassPath(entry)
                    : Stream.of(entry))
            .filter(entry -> !entry.contains("test-classes"))
            .collect(Collectors.joining(File.pathSeparator));
    }

    private static Stream<String> manifestClassPath(String jar) {
        try (JarFile file = new JarFile(jar)) {
            String classPath = file.getManifest().getMainAttributes().getValue("Class-Path");
            return classPath == null ? Stream.of(jar) : Arrays.stream(classPath.split(" "))
                .filter(entry -> !entry.isBlank())
                .map(entry -> java.net.URI.create(entry).getPath());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
