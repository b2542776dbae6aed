package io.retinue.shared.topology;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * A bean that belongs on one side of a module's line: {@code runsHere = true} where the module runs (the internal
 * endpoints serving its API), {@code false} where it runs elsewhere (the HTTP implementation of its API).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ModuleCondition.class)
public @interface ConditionalOnModule {

    String value();

    boolean runsHere() default true;
}
