package io.retinue.shared.topology;

import java.io.IOException;
import java.util.List;

import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Leaves out of component scanning the parts of every module this process does not run: its {@code internal} and
 * {@code web} packages. A module's API root (interfaces, records, events) and its {@code remote} package stay; the
 * latter's beans say by {@link ConditionalOnModule} on which side of the line they belong.
 */
final class ModulePlacement extends TypeExcludeFilter {

    /** The roles and the modules they host. */
    private static final List<String> MODULES = java.util.stream.Stream
        .concat(Topology.MODULES.stream(), Topology.HOSTED.keySet().stream())
        .toList();

    private final Topology topology;

    ModulePlacement(Topology topology) {
        this.topology = topology;
    }

    @Override
    public boolean match(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
        String type = reader.getClassMetadata().getClassName();
        for (String module : MODULES) {
            if (!topology.runs(module) && (type.startsWith("io.retinue." + module + ".internal.")
                    || type.startsWith("io.retinue." + module + ".web."))) {
                return true;
            }
        }
        return false;
    }

    // Test contexts are cached by their customisations: equal topologies are the same filter.
    @Override
    public boolean equals(Object other) {
        return other instanceof ModulePlacement placement && placement.topology.local().equals(topology.local());
    }

    @Override
    public int hashCode() {
        return topology.local().hashCode();
    }
}
