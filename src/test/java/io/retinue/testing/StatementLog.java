package io.retinue.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that notes every statement prepared through it, for tests that count what code sends the database
 * (the SQL text, stripped, in order) — and, with the thread that sent it, each statement and commit, to count what one
 * request sent among everything else the application does meanwhile.
 */
public final class StatementLog extends DelegatingDataSource {

    /**
     * A statement (or {@code COMMIT}) and the id of the thread that sent it; {@code autoCommit}: sent outside a
     * transaction, so committed on its own.
     */
    public record Sent(long thread, String sql, boolean autoCommit) {

        /** Whether the statement changes data. */
        public boolean writes() {
            return sql.startsWith("INSERT") || sql.startsWith("UPDATE") || sql.startsWith("DELETE")
                    || sql.startsWith("MERGE");
        }
    }

    private final List<String> statements = new CopyOnWriteArrayList<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile boolean recording;

    /** Notes everything from the start. */
    public StatementLog(DataSource target) {
        this(target, true);
    }

    public StatementLog(DataSource target, boolean recording) {
        super(target);
        this.recording = recording;
    }

    /** The statements so far; clear it to count from a point on. */
    public List<String> statements() {
        return statements;
    }

    /** Statements and commits with their threads, so far. */
    public List<Sent> sent() {
        return sent;
    }

    /** Notes from now on (forgetting what was noted before), or stops noting (keeping it). */
    public void recording(boolean on) {
        if (on) {
            statements.clear();
            sent.clear();
        }
        recording = on;
    }

    /** What the application sent by itself over {@code idle}, with no request made meanwhile (by the caller). */
    public List<Sent> sentWhileIdle(Duration idle) throws InterruptedException {
        recording(true);
        try {
            Thread.sleep(idle.toMillis());
        }
        finally {
            recording(false);
        }
        return List.copyOf(sent);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        return (Connection) Proxy.newProxyInstance(StatementLog.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                    if (recording && method.getName().startsWith("prepare") && args != null
                            && args[0] instanceof String sql) {
                        statements.add(sql.strip());
                        sent.add(new Sent(Thread.currentThread().threadId(), sql.strip(), connection.getAutoCommit()));
                    }
                    else if (recording && method.getName().equals("commit")) {
                        sent.add(new Sent(Thread.currentThread().threadId(), "COMMIT", false));
                    }
                    try {
                        return method.invoke(connection, args);
                    }
                    catch (InvocationTargetException failed) {
                        throw failed.getCause();
                    }
                });
    }
}
