package io.retinue.tools.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.shared.ModuleSchema;

/** Migrates the tools module's own schema. */
@Configuration(proxyBeanMethods = false)
class ToolsConfiguration {

    @Bean
    Flyway toolsFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "tools");
    }

    @Bean
    FlywayMigrationInitializer toolsMigrations(@Qualifier("toolsFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
