package io.retinue.shared.topology;

import java.util.Map;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Evaluates {@link ConditionalOnModule} against {@code retinue.role}. */
class ModuleCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnModule.class.getName());
        if (attributes == null) {
            return true;
        }
        String module = (String) attributes.get("value");
        boolean runsHere = (Boolean) attributes.get("runsHere");
        return Topology.roles(context.getEnvironment().getProperty(Topology.ROLE, "all")).contains(module) == runsHere;
    }
}
