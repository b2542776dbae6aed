package io.retinue.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that notes every statement prepared through it, for tests that count what code sends the database
 * (the SQL text, stripped, in order).
 */
public final class StatementLog extends DelegatingDataSource {

    private final List<String> statements = new CopyOnWriteArrayList<>();

    public StatementLog(DataSource target) {
        super(target);
    }

    /** The statements so far; clear it to count from a point on. */
    public List<String> statements() {
        return statements;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        return (Connection) Proxy.newProxyInstance(StatementLog.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                    if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
                        statements.add(sql.strip());
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
