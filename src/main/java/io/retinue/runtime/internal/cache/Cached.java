package io.retinue.runtime.internal.cache;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Asks for the runtime's cached view of another module's API (the agent catalog, the tool catalog, tool availability)
 * rather than the implementation the owning module provides. The cached views are injected only where this qualifier
 * asks for them, so other modules, and the endpoints serving the owner's API to other processes, never read through
 * the runtime's cache.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD })
public @interface Cached {
}
