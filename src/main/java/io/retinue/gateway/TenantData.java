package io.retinue.gateway;

import io.retinue.shared.TenantId;

/**
 * What a module keeps of a tenant, as the gateway removes the tenant — each module one step of that saga. Suspending
 * is undone by resuming when a later step fails; erasing cannot be undone and is asked again until it is done, so
 * every method must be safe to call more than once.
 */
public interface TenantData {

    /** The module whose data this is. */
    String module();

    /** Stops the work the module does of its own accord for the tenant (scheduled and queued runs, say). */
    default void suspend(TenantId tenant) {
    }

    /** Undoes {@link #suspend}: the removal was given up. */
    default void resume(TenantId tenant) {
    }

    /**
     * Erases everything the module keeps of the tenant; {@code false} while work of the tenant is still ending (it
     * has been asked to stop), to be asked again later.
     */
    boolean erase(TenantId tenant);
}
