package io.retinue.shared.topology;

import java.util.Set;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Evaluates {@link ConditionalOnModule}, once or repeated (all must hold), against {@code retinue.role}. */
class ModuleCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Set<String> local = Topology.roles(context.getEnvironment().getProperty(Topology.ROLE, "all"));
        for (AnnotationAttributes condition : metadata.getMergedRepeatableAnnotationAttributes(
                ConditionalOnModule.class, ConditionalOnModule.All.class, false)) {
            if (local.contains(condition.getString("value")) != condition.getBoolean("runsHere")) {
                return false;
            }
        }
        return true;
    }
}
