package io.retinue.shared.events;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import io.retinue.shared.topology.Topology;

/**
 * The {@link ServiceEvent} types there are, by routing key ({@code <module>.<EventName>}, e.g.
 * {@code agents.AgentDeleted}): an incoming message names its type only through this table, never by a class name
 * it carries, so nothing but a known event record is ever read from the broker. Which events each module's listeners
 * take is read from its classes, modules this process does not run included: a module's queue is bound to those
 * alone, and an event no other service takes is not sent at all.
 */
final class ServiceEventTypes {

    private final Map<String, Class<?>> byKey = new TreeMap<>();
    /** The routing keys of the events each module's listeners take. */
    private final Map<String, Set<String>> listened = new TreeMap<>();

    ServiceEventTypes() {
        // One look through the classes: the events, and every class with listener methods (not only components:
        // some listeners are beans made by a configuration's @Bean method).
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent() && !definition.getMetadata().isInterface();
            }
        };
        scanner.addIncludeFilter(new AssignableTypeFilter(ServiceEvent.class));
        scanner.addIncludeFilter((reader, factory) -> reader.getAnnotationMetadata().hasAnnotatedMethods(
                EventListener.class.getName()));
        Topology.MODULES.forEach(module -> listened.put(module, new TreeSet<>()));
        for (var candidate : scanner.findCandidateComponents("io.retinue")) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), getClass().getClassLoader());
            if (ServiceEvent.class.isAssignableFrom(type)) {
                byKey.put(routingKey(type), type);
            }
            Set<String> keys = listened.get(moduleOf(type));
            if (keys == null) {
                continue;
            }
            for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type)) {
                Class<?>[] parameters = method.getParameterTypes();
                if (parameters.length == 1 && ServiceEvent.class.isAssignableFrom(parameters[0])
                        && parameters[0] != ServiceEvent.class
                        && AnnotatedElementUtils.hasAnnotation(method, EventListener.class)) {
                    keys.add(routingKey(parameters[0]));
                }
            }
        }
        listened.replaceAll((module, keys) -> Set.copyOf(keys));
    }

    /** The routing keys of the events {@code module}'s listeners take (its own included). */
    Set<String> listenedBy(String module) {
        return listened.getOrDefault(module, Set.of());
    }

    /** Whether a module other than those {@code here} listens to events of {@code routingKey}. */
    boolean listenedElsewhere(String routingKey, Predicate<String> here) {
        return listened.entrySet().stream()
            .anyMatch(module -> !here.test(module.getKey()) && module.getValue().contains(routingKey));
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
