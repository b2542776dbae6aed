package io.retinue.shared.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.stereotype.Component;

/**
 * {@link ConditionalOnModule} once or repeated, on scanned classes (read by ASM) and on bean methods: a bean exists
 * only where every condition holds.
 */
class ModuleConditionTest {

    @Component
    @ConditionalOnModule("agents")
    static class AgentsEndpoint {
    }

    @Component
    @ConditionalOnModule("agents")
    @ConditionalOnModule(value = "runtime", runsHere = false)
    static class RuntimeClientForAgents {
    }

    @Configuration(proxyBeanMethods = false)
    @ComponentScan(basePackageClasses = ModuleConditionTest.class, useDefaultFilters = false,
            includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE,
                    classes = { AgentsEndpoint.class, RuntimeClientForAgents.class }))
    static class Scanned {
    }

    @Configuration(proxyBeanMethods = false)
    static class Methods {

        @Bean
        @ConditionalOnModule(value = "tools", runsHere = false)
        String toolsElsewhere() {
            return "tools elsewhere";
        }

        @Bean
        @ConditionalOnModule("agents")
        @ConditionalOnModule(value = "tools", runsHere = false)
        Integer toolsClientForAgents() {
            return 1;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Scanned.class, Methods.class);

    @Test
    void everyConditionMustHold() {
        assertBeans("all", Set.of(AgentsEndpoint.class));
        assertBeans("agents", Set.of(AgentsEndpoint.class, RuntimeClientForAgents.class, String.class, Integer.class));
        assertBeans("agents,runtime", Set.of(AgentsEndpoint.class, String.class, Integer.class));
        assertBeans("agents,tools", Set.of(AgentsEndpoint.class, RuntimeClientForAgents.class));
        assertBeans("runtime", Set.of(String.class));
    }

    private void assertBeans(String role, Set<Class<?>> expected) {
        runner.withPropertyValues(Topology.ROLE + "=" + role).run(context -> {
            for (Class<?> type : Set.of(AgentsEndpoint.class, RuntimeClientForAgents.class, String.class,
                    Integer.class)) {
                assertThat(context.getBeanNamesForType(type)).as(role + ": " + type.getSimpleName())
                    .hasSize(expected.contains(type) ? 1 : 0);
            }
        });
    }
}
