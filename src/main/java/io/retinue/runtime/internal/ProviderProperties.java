package io.retinue.runtime.internal;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.runtime.providers.<name>.*}: model providers agents can name besides the built-in {@code demo}.
 * {@code type: openai} covers OpenAI and every OpenAI-compatible server (vLLM, LM Studio, llama.cpp, DeepSeek, …) by
 * {@code base-url}. Remember to list the provider in {@code retinue.agents.providers} so agent configurations may
 * name it.
 */
@ConfigurationProperties("retinue.runtime")
public record ProviderProperties(Map<String, Provider> providers) {

    /** One provider connection. */
    public record Provider(String type, String baseUrl, String apiKey, Duration timeout) {

        public Provider {
            type = type == null ? "openai" : type;
            timeout = timeout == null ? Duration.ofSeconds(120) : timeout;
        }
    }

    public ProviderProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
    }
}
