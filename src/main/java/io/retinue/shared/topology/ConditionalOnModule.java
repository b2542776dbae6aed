package io.retinue.shared.topology;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * A bean that belongs on one side of a module's line: {@code runsHere = true} where the module runs (the internal
 * endpoints serving its API), {@code false} where it runs elsewhere (the HTTP implementation of its API). Repeated,
 * every condition must hold: an HTTP implementation of an SPI one module calls and another implements belongs only
 * where the first runs and the second does not.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ModuleCondition.class)
@Repeatable(ConditionalOnModule.All.class)
public @interface ConditionalOnModule {

    String value();

    boolean runsHere() default true;

    /** The container of repeated conditions: all must hold. */
    @Target({ ElementType.TYPE, ElementType.METHOD })
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Conditional(ModuleCondition.class)
    @interface All {

        ConditionalOnModule[] value();
    }
}
