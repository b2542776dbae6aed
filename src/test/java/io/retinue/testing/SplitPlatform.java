package io.retinue.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The platform split into its services as an operator runs it: the gateway, agents, runtime and tools each in a JVM
 * of its own on its own port and its own PostgreSQL database, service events through the machine's RabbitMQ, every
 * process told where the others answer. Clients call the gateway only.
 */
public final class SplitPlatform implements AutoCloseable {

    public static final List<String> ROLES = List.of("gateway", "agents", "runtime", "tools");

    private final Map<String, AppProcess> processes = new LinkedHashMap<>();

    private SplitPlatform() {
    }

    /** Starts the four processes side by side and waits until each answers its health check. */
    public static SplitPlatform start(String adminKey, String... more) {
        TestRabbit.require();
        SplitPlatform platform = new SplitPlatform();
        for (String role : ROLES) {
            platform.processes.put(role, new AppProcess(TestDatabase.fresh(), adminKey, "--retinue.role=" + role,
                    "--spring.rabbitmq.addresses=amqp://guest:guest@127.0.0.1:" + TestRabbit.PORT,
                    "--retinue.gateway.tenant-removal.check-interval=1s").with(more));
        }
        for (AppProcess process : platform.processes.values()) {
            platform.processes.forEach((role, other) -> {
                if (other != process) {
                    process.with("--retinue.services." + role + ".url=" + other.url());
                }
            });
        }
        List<CompletableFuture<AppProcess>> starting = new ArrayList<>();
        platform.processes.values().forEach(process -> starting.add(CompletableFuture.supplyAsync(process::start)));
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        }
        catch (RuntimeException failed) {
            platform.close();
            throw failed;
        }
        return platform;
    }

    public AppProcess process(String role) {
        return processes.get(role);
    }

    public int gatewayPort() {
        return process("gateway").port();
    }

    @Override
    public void close() {
        processes.values().forEach(AppProcess::close);
    }
}
