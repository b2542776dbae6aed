/**
 * The gateway: who may call the platform. Owns API keys (schema {@code gateway}), authenticates every request except
 * health and API docs, and hands the rest of the application a {@link io.retinue.shared.Caller}; answers whether a
 * recorded caller may still act ({@link io.retinue.gateway.Principals}) and takes audit entries other modules decide on
 * ({@link io.retinue.gateway.AuditTrail}); removes tenants, asking every module that keeps something of a tenant
 * through {@link io.retinue.gateway.TenantData} to stop its work and erase it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Gateway")
package io.retinue.gateway;
