package io.retinue.analytics.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A table of counters under a key: adds to the row of a key, making it when it is not there yet. Safe when several
 * transactions add to one key at once, on H2 and PostgreSQL alike (no statement fails midway, which would end a
 * PostgreSQL transaction): an update; when no row was there, an insert that yields to one made meanwhile; then the
 * update again.
 */
final class Counters {

    private final String update;
    private final String insert;
    private final List<String> keys;
    private final List<String> counters;

    Counters(String table, List<String> keys, List<String> counters) {
        this.keys = List.copyOf(keys);
        this.counters = List.copyOf(counters);
        this.update = "UPDATE " + table + " SET "
                + counters.stream().map(column -> column + " = " + column + " + :" + column)
                    .collect(Collectors.joining(", "))
                + " WHERE " + keys.stream().map(column -> column + " = :" + column).collect(Collectors.joining(" AND "));
        List<String> columns = new java.util.ArrayList<>(keys);
        columns.addAll(counters);
        this.insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(column -> ":" + column).collect(Collectors.joining(", "))
                + ") ON CONFLICT DO NOTHING";
    }

    /** Adds {@code amounts} (by counter column) to the row of {@code key} (by key column). */
    void add(JdbcClient jdbc, Map<String, Object> key, Map<String, Object> amounts) {
        Map<String, Object> params = new HashMap<>(key);
        params.putAll(amounts);
        if (params.size() != keys.size() + counters.size()) {
            throw new IllegalArgumentException("a value for each of " + keys + " and " + counters);
        }
        if (jdbc.sql(update).params(params).update() == 0 && jdbc.sql(insert).params(params).update() == 0) {
            jdbc.sql(update).params(params).update();
        }
    }
}
