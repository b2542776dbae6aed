package io.retinue.shared.tracing;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Where spans go: {@code retinue.tracing.endpoint} ({@code RETINUE_TRACING_ENDPOINT}) is Boot's OTLP endpoint unless
 * that is set itself (an empty one would not do: Boot takes any value as an endpoint to build). Every run is traced
 * when spans are exported, and none is recorded when they are not — a span recorded only to be dropped costs each run
 * for nothing; trace ids are made and passed on either way, so log lines, runs and outbound calls keep theirs.
 * {@code management.tracing.sampling.probability} set anywhere wins.
 */
public class TracingDefaults implements EnvironmentPostProcessor {

    public static final String RETINUE_ENDPOINT = "retinue.tracing.endpoint";
    static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";
    static final String PROBABILITY = "management.tracing.sampling.probability";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new HashMap<>();
        String endpoint = environment.getProperty(ENDPOINT);
        if (!StringUtils.hasText(endpoint) && StringUtils.hasText(environment.getProperty(RETINUE_ENDPOINT))) {
            endpoint = environment.getProperty(RETINUE_ENDPOINT).strip();
            defaults.put(ENDPOINT, endpoint);
        }
        if (!environment.containsProperty(PROBABILITY)) {
            defaults.put(PROBABILITY, StringUtils.hasText(endpoint) ? "1.0" : "0.0");
        }
        if (!defaults.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource("retinueTracingDefaults", defaults));
        }
    }
}
