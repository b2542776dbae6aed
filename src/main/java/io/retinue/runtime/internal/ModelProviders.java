package io.retinue.runtime.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.ai.ollama.api.OllamaChatOptions;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.stereotype.Component;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The chat models agents can name by provider: the built-in {@code demo}, and those configured under
 * {@code retinue.runtime.providers} — OpenAI and OpenAI-compatible servers, Anthropic, and Ollama, each through its
 * Spring AI model with its own retries turned off (retries and the breaker are the runtime's, so that only transient
 * failures are retried, once). An agent naming a provider that is not configured gets a failed run saying so — never
 * a silent fallback to the demo model.
 */
@Component
@EnableConfigurationProperties(ProviderProperties.class)
class ModelProviders {

    /** The provider kinds a connection can be, by the API they speak. */
    enum Kind {
        DEMO, OPENAI, ANTHROPIC, OLLAMA
    }

    private final Map<String, ChatModel> models = new HashMap<>();
    private final Map<String, Kind> kinds = new HashMap<>();
    private final EncodingRegistry encodings = Encodings.newLazyEncodingRegistry();

    ModelProviders(ProviderProperties properties) {
        models.put("demo", new DemoChatModel());
        kinds.put("demo", Kind.DEMO);
        properties.providers().forEach((name, provider) -> {
            Kind kind = switch (provider.type()) {
                case "openai" -> Kind.OPENAI;
                case "anthropic" -> Kind.ANTHROPIC;
                case "ollama" -> Kind.OLLAMA;
                default -> throw new IllegalStateException("retinue.runtime.providers." + name + ".type '"
                        + provider.type() + "' is not one of openai (and OpenAI-compatible servers), anthropic, ollama");
            };
            kinds.put(name, kind);
            models.put(name, connect(kind, provider));
        });
    }

    private static ChatModel connect(Kind kind, ProviderProperties.Provider provider) {
        String key = provider.apiKey() == null || provider.apiKey().isBlank() ? null : provider.apiKey();
        return switch (kind) {
            case OPENAI -> OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder()
                    .baseUrl(provider.baseUrl())
                    .apiKey(key == null ? "none" : key)
                    .timeout(provider.timeout())
                    .maxRetries(0)
                    .build())
                .build();
            case ANTHROPIC -> AnthropicChatModel.builder()
                .options(AnthropicChatOptions.builder()
                    .baseUrl(provider.baseUrl())
                    .apiKey(key == null ? "none" : key)
                    .timeout(provider.timeout())
                    .maxRetries(0)
                    .build())
                .build();
            case OLLAMA -> OllamaChatModel.builder()
                .ollamaApi(OllamaApi.builder()
                    .baseUrl(provider.baseUrl() == null ? "http://localhost:11434" : provider.baseUrl())
                    .build())
                .retryTemplate(new RetryTemplate(RetryPolicy.builder().maxRetries(0).build()))
                .build();
            case DEMO -> throw new IllegalStateException("the demo provider is built in");
        };
    }

    Optional<ChatModel> model(String provider) {
        return Optional.ofNullable(models.get(provider));
    }

    /**
     * How the provider's model counts tokens: OpenAI-compatible models by their encoding (o200k_base when jtokkit does
     * not know the model name), every other provider by the estimate.
     */
    TokenCounter tokenCounter(String provider, String model) {
        if (kinds.get(provider) != Kind.OPENAI) {
            return new TokenCounter(null);
        }
        return new TokenCounter(encodings.getEncodingForModel(model)
            .orElseGet(() -> encodings.getEncoding(EncodingType.O200K_BASE)));
    }

    /** The options of one call, in the form the provider's Spring AI model takes them. */
    ToolCallingChatOptions options(String provider, String model, Double temperature, Integer maxTokens,
            List<ToolCallback> tools) {
        return switch (kinds.getOrDefault(provider, Kind.DEMO)) {
            case OPENAI -> OpenAiChatOptions.builder()
                .model(model)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .build();
            case ANTHROPIC -> AnthropicChatOptions.builder()
                .model(model)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .build();
            case OLLAMA -> OllamaChatOptions.builder()
                .model(model)
                .temperature(temperature)
                .numPredict(maxTokens)
                .toolCallbacks(tools)
                .build();
            case DEMO -> ToolCallingChatOptions.builder()
                .model(model)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .build();
        };
    }
}
