package io.retinue.agents;

import java.util.List;
import java.util.Map;

import io.retinue.shared.TenantId;

/**
 * Model provider connections a tenant defines itself, besides the installation's: the module that holds them (the
 * runtime) implements this so that agent configurations of that tenant may name them.
 */
public interface TenantProviders {

    /** The tenant's connections by name, each with the models it offers (empty: any model). */
    Map<String, List<String>> providersOf(TenantId tenant);
}
