package io.retinue.tools;

import java.util.Optional;

import io.retinue.shared.TenantId;

/**
 * The secrets a tenant keeps in the tools module's credential store, opened for another module's outbound call — a
 * model provider's API key — and never for showing. Only {@code api_key} and {@code bearer} credentials have a secret
 * of this kind (their {@code value} field).
 */
public interface Credentials {

    /** The secret of the tenant's credential, when it exists and is a single value. */
    Optional<String> secret(TenantId tenant, String name);
}
