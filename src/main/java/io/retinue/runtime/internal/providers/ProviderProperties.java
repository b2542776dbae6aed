package io.retinue.runtime.internal.providers;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.runtime.providers.<name>.*}: model providers agents can name besides the built-in {@code demo}.
 * {@code type: openai} covers OpenAI and every OpenAI-compatible server (vLLM, LM Studio, llama.cpp, DeepSeek, …) by
 * {@code base-url}; {@code anthropic} speaks Anthropic's Messages API; {@code ollama} an Ollama server (no key).
 * {@code prices.<model>.input/output} (USD per million tokens) give runs an estimated cost.
 * {@code max-concurrent-model-calls} bounds the model calls in flight per connection on each instance (default 10000;
 * more fail fast as {@code provider_unavailable}, retried with the run's retries).
 * {@code stream-sync-runs}: whether a run its caller waits for ({@code mode=sync}) has the model stream its answers,
 * as streamed and async runs do — so that others following its events see {@code text.delta}s. Off by default: the
 * caller gets the whole answer at the end either way, and a whole answer costs a fraction of the CPU of a streamed one.
 * Remember to list the provider in {@code retinue.agents.providers} so agent configurations may
 * name it.
 */
@ConfigurationProperties("retinue.runtime")
public record ProviderProperties(Map<String, Provider> providers, Map<String, Price> prices,
        Integer maxConcurrentModelCalls, Boolean streamSyncRuns) {

    /** What a model costs, in USD per million tokens; {@code prices} is keyed by model name. */
    public record Price(java.math.BigDecimal input, java.math.BigDecimal output) {

        /** The cost of a run's tokens. */
        public java.math.BigDecimal of(long tokensIn, long tokensOut) {
            java.math.BigDecimal million = java.math.BigDecimal.valueOf(1_000_000);
            return input.multiply(java.math.BigDecimal.valueOf(tokensIn))
                .add(output.multiply(java.math.BigDecimal.valueOf(tokensOut)))
                .divide(million, 8, java.math.RoundingMode.HALF_UP);
        }
    }

    /** One provider connection. */
    public record Provider(String type, String baseUrl, String apiKey, Duration timeout) {

        /** How long a provider may keep a call waiting unless told (see {@link ModelConnection#timeout()}). */
        static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

        public Provider {
            type = type == null ? "openai" : type;
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        }
    }

    public ProviderProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        maxConcurrentModelCalls = maxConcurrentModelCalls == null ? 10_000 : maxConcurrentModelCalls;
        streamSyncRuns = streamSyncRuns != null && streamSyncRuns;
    }
}
