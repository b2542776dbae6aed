package io.retinue.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL database of this test run's own on the machine's server, created on first use and dropped when the
 * JVM exits, so runs never see each other's rows. Without a reachable server the tests that need it are skipped,
 * except under {@code CI=true}, where they fail.
 */
public final class TestDatabase {

    private static final String ADMIN_URL = env("RETINUE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = env("RETINUE_TEST_PG_USER", "postgres");
    private static final String PASSWORD = env("RETINUE_TEST_PG_PASSWORD", "");

    private static String url;
    private static String unavailable;

    private TestDatabase() {
    }

    /** The JDBC URL of this run's database; aborts (or, under CI, fails) the calling test if there is no server. */
    public static synchronized String url() {
        if (url == null && unavailable == null) {
            create();
        }
        if (unavailable != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required under CI=true but " + unavailable);
            }
            Assumptions.abort("PostgreSQL is not available: " + unavailable);
        }
        return url;
    }

    public static String user() {
        return USER;
    }

    public static String password() {
        return PASSWORD;
    }

    /** A database of its own, for an application started in another process; dropped when the tests end. */
    public static synchronized String fresh() {
        url();
        String name = "retinue_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("could not create a database: " + ex.getMessage(), ex);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name), "drop-" + name));
        return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
    }

    private static void create() {
        String name = "retinue_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (SQLException ex) {
            unavailable = ADMIN_URL + " cannot be reached as " + USER + " (" + ex.getMessage() + ")";
            return;
        }
        url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name), "drop-" + name));
    }

    private static void drop(String name) {
        // Shutdown hooks run together: let the application's close first (dropped under it, it waits for connections
        // until their timeout, and the test JVM with it). The hooks are started one after another, so Spring's may
        // not have started yet when this one looks: it looks again for a moment.
        try {
            long until = System.nanoTime() + 2_000_000_000L;
            Thread spring = springShutdownHook();
            while (spring == null && System.nanoTime() < until) {
                Thread.sleep(20);
                spring = springShutdownHook();
            }
            if (spring != null) {
                spring.join(20_000);
            }
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        catch (SQLException ex) {
            System.err.println("Could not drop test database " + name + ": " + ex.getMessage());
        }
    }

    private static Thread springShutdownHook() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().equals("SpringApplicationShutdownHook"))
            .findFirst()
            .orElse(null);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
