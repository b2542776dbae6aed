package io.retinue.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL cluster of a test's own, in a temporary directory on a free port, that the test may stop and start
 * again — unlike the machine's shared server. Run as the {@code postgres} OS user when the tests run as root (the
 * server refuses to run as root). Without PostgreSQL's binaries the test is skipped, except under {@code CI=true},
 * where it fails. Closing it stops the server and deletes its directory.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final String OS_USER = "postgres";

    private final Path bin;
    private final Path directory;
    private final int port;
    private final Thread cleanup;

    private PrivatePostgres(Path bin, Path directory, int port) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        // Also when the test JVM is ended before the test could close it.
        this.cleanup = new Thread(this::destroy, "private-postgres-" + port);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A new cluster, initialised and started; skips (or under CI fails) the test when PostgreSQL is not installed. */
    public static PrivatePostgres start() {
        Path bin = binaries().orElse(null);
        if (bin == null) {
            String why = "no PostgreSQL binaries (initdb) under /usr/lib/postgresql/*/bin";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL's binaries are required under CI=true but there are "
                        + why);
            }
            Assumptions.abort(why);
        }
        PrivatePostgres cluster;
        try {
            Path directory = Files.createTempDirectory("retinue-pg");
            cluster = new PrivatePostgres(bin, directory, freePort());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        try {
            cluster.initialise();
            cluster.resume();
            return cluster;
        }
        catch (RuntimeException failed) {
            cluster.close();
            throw failed;
        }
    }

    /** The JDBC URL of the cluster's {@code postgres} database, whose owner is {@link TestDatabase#user()}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops the server at once, as a crash or a lost network would: no client is told, nothing is flushed. */
    public void stopAbruptly() {
        run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", data(), "-m", "immediate", "-w"));
    }

    /**
     * Starts the server (again), and waits until it accepts connections. {@code fsync=off} is safe here: an immediate
     * stop ends the server's processes, not the machine, and what they wrote is kept. {@code synchronous_commit=off}
     * would not be: a commit answered before its WAL was written is lost with them.
     */
    public void resume() {
        run(List.of(bin.resolve("pg_ctl").toString(), "start", "-D", data(), "-l", directory.resolve("server.log")
            .toString(), "-w", "-t", "60", "-o", "-p " + port + " -k " + directory
                    + " -c listen_addresses=127.0.0.1 -c fsync=off"));
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }

    private void initialise() {
        if (isRoot()) {
            run(List.of("chown", "-R", OS_USER + ":" + OS_USER, directory.toString()));
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data(), "-U", TestDatabase.user(), "-A", "trust",
                "-E", "UTF8", "--no-sync", "--no-instructions"));
    }

    private synchronized void destroy() {
        if (!Files.exists(directory)) {
            return;
        }
        if (Files.exists(directory.resolve("data/postmaster.pid"))) {
            try {
                stopAbruptly();
            }
            catch (RuntimeException alreadyStopped) {
                // Deleted below all the same.
            }
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
        catch (IOException ex) {
            System.err.println("Could not delete " + directory + ": " + ex.getMessage());
        }
    }

    private String data() {
        return directory.resolve("data").toString();
    }

    /** Runs a command of the server's, as its OS user when this is root; fails with its output when it fails. */
    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot() && !command.getFirst().equals("chown")) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        try {
            Path output = Files.createTempFile("retinue-pg", ".out");
            try {
                Process process = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .directory(directory.toFile())
                    .start();
                if (!process.waitFor(90, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", full) + " did not finish in 90 s");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", full) + " failed (" + process.exitValue() + "): "
                            + Files.readString(output));
                }
            }
            finally {
                Files.deleteIfExists(output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed version's binaries. */
    private static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
                .max(Comparator.comparingInt(PrivatePostgres::version));
        }
        catch (IOException ex) {
            return Optional.empty();
        }
    }

    private static int version(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", ""));
        }
        catch (NumberFormatException unknown) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
