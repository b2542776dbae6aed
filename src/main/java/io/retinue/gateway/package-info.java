/**
 * The gateway: who may call the platform. Owns API keys (schema {@code gateway}), authenticates every request except
 * health and API docs, and hands the rest of the application a {@link io.retinue.shared.Caller}. Publishes no events
 * yet; users, JWT, roles, rate limits and the request log arrive with the gateway issue.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Gateway")
package io.retinue.gateway;
