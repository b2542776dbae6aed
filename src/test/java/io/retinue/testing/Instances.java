package io.retinue.testing;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.retinue.RetinueApplication;

/**
 * Further instances of the test installation (its database, master key and admin key) running only some modules:
 * the services of a split platform, next to the platform under test.
 */
public final class Instances {

    private Instances() {
    }

    /** Starts an instance running {@code role} on {@code port} (0: any free one), with more arguments. */
    public static ConfigurableApplicationContext start(String role, int port, String... more) {
        List<String> args = new ArrayList<>(List.of("--retinue.role=" + role, "--server.port=" + port,
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(),
                // Many instances share the test PostgreSQL (100 connections): each opens a few, not twenty.
                "--spring.datasource.hikari.maximum-pool-size=8", "--spring.datasource.hikari.minimum-idle=1",
                "--spring.datasource.hikari.idle-timeout=10000",
                "--retinue.security.bootstrap-api-key=" + PlatformIT.ADMIN_KEY,
                "--retinue.security.master-key=" + PlatformIT.MASTER_KEY,
                "--retinue.metrics.scrape-token=" + PlatformIT.SCRAPE_TOKEN,
                "--retinue.rate-limit.anonymous.per-address=1000000",
                "--spring.modulith.events.republish-outstanding-events-on-restart=false"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(RetinueApplication.class).run(args.toArray(String[]::new));
    }

    public static int portOf(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
