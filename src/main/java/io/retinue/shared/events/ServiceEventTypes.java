package io.retinue.shared.events;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * The {@link ServiceEvent} types there are, by routing key ({@code <module>.<EventName>}, e.g.
 * {@code agents.AgentDeleted}): an incoming message names its type only through this table, never by a class name
 * it carries, so nothing but a known event record is ever read from the broker.
 */
final class ServiceEventTypes {

    private final Map<String, Class<?>> byKey = new TreeMap<>();

    ServiceEventTypes() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent() && !definition.getMetadata().isInterface();
            }
        };
        scanner.addIncludeFilter(new AssignableTypeFilter(ServiceEvent.class));
        for (var candidate : scanner.findCandidateComponents("io.retinue")) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), getClass().getClassLoader());
            byKey.put(routingKey(type), type);
        }
    }

    static String routingKey(Class<?> type) {
        return moduleOf(type) + "." + type.getSimpleName();
    }

    /** {@code io.retinue.agents.AgentDeleted} → {@code agents}. */
    static String moduleOf(Class<?> type) {
        String name = type.getPackageName();
        return name.startsWith("io.retinue.") ? name.substring("io.retinue.".length()).split("\\.")[0] : "";
    }

    Optional<Class<?>> type(String routingKey) {
        return Optional.ofNullable(byKey.get(routingKey));
    }

    Map<String, Class<?>> all() {
        return Map.copyOf(byKey);
    }
}
