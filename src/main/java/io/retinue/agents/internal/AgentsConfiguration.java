package io.retinue.agents.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.retinue.shared.ModuleSchema;

/** Migrates the agents module's own schema. */
@Configuration(proxyBeanMethods = false)
class AgentsConfiguration {

    @Bean
    Flyway agentsFlyway(DataSource dataSource) {
        return ModuleSchema.migrations(dataSource, "agents");
    }

    @Bean
    FlywayMigrationInitializer agentsMigrations(@Qualifier("agentsFlyway") Flyway flyway) {
        return new FlywayMigrationInitializer(flyway);
    }
}
