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
        // Every class, not only components: some listeners are beans made by a configuration's @Bean method.
        ClassPathScanningCandidateComponentProvider beans = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(
                    org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent() && !definition.getMetadata().isInterface();
            }
        };
        beans.addIncludeFilter((reader, factory) -> reader.getAnnotationMetadata().hasAnnotatedMethods(
                EventListener.class.getName()));
        for (String module : Topology.MODULES) {
            Set<String> keys = new TreeSet<>();
            for (var candidate : beans.findCandidateComponents("io.retinue." + module)) {
                Class<?> bean = ClassUtils.resolveClassName(candidate.getBeanClassName(), getClass().getClassLoader());
                for (Method method : ReflectionUtils.getUniqueDeclaredMethods(bean)) {
                    if (method.getParameterCount() == 1
                            && AnnotatedElementUtils.hasAnnotation(method, EventListener.class)
                            && ServiceEvent.class.isAssignableFrom(method.getParameterTypes()[0])
                            && method.getParameterTypes()[0] != ServiceEvent.class) {
                        keys.add(routingKey(method.getParameterTypes()[0]));
                    }
                }
            }
            listened.put(module, Set.copyOf(keys));
        }
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
