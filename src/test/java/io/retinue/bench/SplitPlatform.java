package io.retinue.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.retinue.shared.topology.Topology;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestDatabase;

/**
 * The packaged platform split into its services, as {@code deploy/split-local} starts it: a process per role, each on
 * a PostgreSQL database of its own, one master key, events over the local RabbitMQ; clients call the gateway.
 */
final class SplitPlatform implements AutoCloseable {

    private final Map<String, Platform> services;

    private SplitPlatform(Map<String, Platform> services) {
        this.services = services;
    }

    /** Starts the four services with the settings every one of them gets ({@code extra}) and waits until each is ready. */
    static SplitPlatform start(Map<String, String> providers, List<String> extra) throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String role : Topology.MODULES) {
            ports.put(role, Platform.freePort());
        }
        List<String> common = new ArrayList<>(extra);
        common.add("--retinue.security.master-key=" + PlatformIT.MASTER_KEY);
        ports.forEach((role, port) -> common.add("--retinue.services." + role + ".url=http://127.0.0.1:" + port));
        Map<String, Platform> services = new LinkedHashMap<>();
        try {
            for (String role : Topology.MODULES) {
                List<String> own = new ArrayList<>(common);
                own.addAll(List.of("--retinue.role=" + role, "--spring.datasource.url=" + TestDatabase.fresh(),
                        "--spring.datasource.username=" + TestDatabase.user(),
                        "--spring.datasource.password=" + TestDatabase.password()));
                services.put(role, Platform.start("split-" + role, "512m", providers, own,
                        Platform.JAR, List.of(), ports.get(role)));
            }
        }
        catch (Exception failed) {
            for (Platform started : services.values()) {
                started.close();
            }
            throw failed;
        }
        return new SplitPlatform(services);
    }

    /** The gateway: where clients call, and whose API key and metrics the benchmark uses. */
    Platform gateway() {
        return services.get("gateway");
    }

    /** Every service's process by its role, to add up the CPU time a run costs them together. */
    Map<String, ProcessHandle> byRole() {
        Map<String, ProcessHandle> handles = new LinkedHashMap<>();
        services.forEach((role, platform) -> handles.put(role, platform.handle()));
        return handles;
    }

    double startupSeconds() {
        return services.values().stream().mapToDouble(platform -> platform.startupSeconds).max().orElse(Double.NaN);
    }

    @Override
    public void close() throws Exception {
        for (Platform service : services.values()) {
            service.close();
        }
    }
}
