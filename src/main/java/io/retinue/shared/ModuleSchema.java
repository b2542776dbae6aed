package io.retinue.shared;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * Each module migrates its own schema with its own Flyway history ({@code <module>.flyway_schema_history}), from
 * {@code classpath:db/<module>}. Nothing is shared between modules' migrations, so a module can later move to its own
 * database by changing configuration only.
 */
public final class ModuleSchema {

    private ModuleSchema() {
    }

    public static Flyway migrations(DataSource dataSource, String module) {
        return Flyway.configure()
            .dataSource(dataSource)
            .schemas(module)
            .createSchemas(true)
            .locations("classpath:db/" + module)
            .table("flyway_schema_history")
            .load();
    }
}
