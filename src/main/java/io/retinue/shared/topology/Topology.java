package io.retinue.shared.topology;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.core.env.Environment;

/**
 * Which modules this process runs and where the others are: {@code retinue.role} ({@code RETINUE_ROLE}) is
 * {@code all} (the default, the monolith) or a comma-separated list of {@code gateway}, {@code agents},
 * {@code runtime}, {@code tools}; a module run elsewhere is reached at {@code retinue.services.<module>.url}
 * ({@code RETINUE_SERVICES_<MODULE>_URL}): one URL, or a comma-separated list of its processes'. The same jar runs any
 * topology; domain code never asks which.
 */
public record Topology(Set<String> local, List<Service> remote) {

    public static final List<String> MODULES = List.of("gateway", "agents", "runtime", "tools");

    /**
     * Modules that are not a role of their own (yet): each runs in the processes of the module it names. Analytics is
     * fed by the runtime's events and answers under the runtime's routes.
     */
    public static final Map<String, String> HOSTED = Map.of("analytics", "runtime");

    public static final String ROLE = "retinue.role";

    /** A module run by other processes, and the base URLs its internal endpoints answer at (none: not configured). */
    public record Service(String module, List<URI> urls) {

        public Service {
            urls = List.copyOf(urls);
        }
    }

    public Topology {
        local = Set.copyOf(local);
        remote = List.copyOf(remote);
    }

    /** Reads the topology from configuration; an unknown role name stops the start with the names there are. */
    public static Topology of(Environment environment) {
        Set<String> local = roles(environment.getProperty(ROLE, "all"));
        List<Service> remote = MODULES.stream()
            .filter(module -> !local.contains(module))
            .map(module -> new Service(module, urls(environment, module)))
            .toList();
        return new Topology(local, remote);
    }

    static Set<String> roles(String role) {
        Set<String> names = Arrays.stream(role.split(","))
            .map(name -> name.trim().toLowerCase(Locale.ROOT))
            .filter(name -> !name.isEmpty())
            .collect(Collectors.toCollection(LinkedHashSet::new));
        if (names.isEmpty() || names.contains("all")) {
            return Set.copyOf(MODULES);
        }
        List<String> unknown = names.stream().filter(name -> !MODULES.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(ROLE + " names " + unknown + ": it is 'all' or a comma-separated list of "
                    + String.join(", ", MODULES));
        }
        return names;
    }

    private static List<URI> urls(Environment environment, String module) {
        return Arrays.stream(environment.getProperty("retinue.services." + module + ".url", "").split(","))
            .map(String::trim)
            .filter(url -> !url.isEmpty())
            .map(url -> {
                URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException("retinue.services." + module + ".url must be http(s) URLs, "
                            + "separated by commas: " + url);
                }
                return uri;
            })
            .distinct()
            .toList();
    }

    public boolean runs(String module) {
        return local.contains(HOSTED.getOrDefault(module, module));
    }

    /** Every module runs here: the monolith. */
    public boolean isMonolith() {
        return local.size() == MODULES.size();
    }

    /** Where {@code module}'s first (often only) process answers; see {@link #urlsOf(String)}. */
    public URI urlOf(String module) {
        return urlsOf(module).getFirst();
    }

    /** Where {@code module}'s processes answer; fails when it runs elsewhere and no URL was configured for it. */
    public List<URI> urlsOf(String module) {
        Optional<Service> service = remote.stream().filter(s -> s.module().equals(module)).findFirst();
        return service.map(Service::urls).filter(urls -> !urls.isEmpty()).orElseThrow(() -> new IllegalStateException(
                runs(module) ? module + " runs in this process" : "retinue.services." + module + ".url is not set ("
                        + "RETINUE_SERVICES_" + module.toUpperCase(Locale.ROOT) + "_URL): " + module
                        + " runs elsewhere (retinue.role=" + String.join(",", local) + ")"));
    }

    /** How this process names itself to others, e.g. {@code runtime} or {@code all}. */
    public String name() {
        return isMonolith() ? "all" : MODULES.stream().filter(local::contains).collect(Collectors.joining("+"));
    }
}
