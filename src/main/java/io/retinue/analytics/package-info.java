/**
 * Usage analytics (the seed's analytics service): what runs used and how they went — runs by outcome, tokens,
 * estimated cost, working-time percentiles, error rates, tool calls, sessions and turns — by tenant, UTC day, agent,
 * version and model, answered over any time range from aggregates kept up to date as runs end. Fed only by the
 * runtime's {@link io.retinue.runtime.RunEnded} events, into schema {@code analytics}; it runs wherever the runtime
 * does (see {@link io.retinue.shared.topology.Topology#HOSTED}) and could run alone.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Analytics")
package io.retinue.analytics;
