package io.retinue.runtime.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.shared.ModuleSchema;

/** Migrates the runtime module's own schema. */
@Configuration(proxyBeanMethods = false)
class RuntimeConfiguration {

    @Bean
    Flyway runtimeFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "runtime");
    }

    @Bean
    FlywayMigrationInitializer runtimeMigrations(@Qualifier("runtimeFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
