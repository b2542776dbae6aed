package io.retinue.analytics.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.shared.ModuleSchema;

/** Migrates the analytics module's own schema. */
@Configuration(proxyBeanMethods = false)
class AnalyticsConfiguration {

    @Bean
    Flyway analyticsFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "analytics");
    }

    @Bean
    FlywayMigrationInitializer analyticsMigrations(@Qualifier("analyticsFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
