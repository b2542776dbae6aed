package io.retinue.runtime.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import java.util.List;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The chat models agents can name by provider: the built-in {@code demo}, and those configured under
 * {@code retinue.runtime.providers} (OpenAI and OpenAI-compatible servers through Spring AI). An agent naming a
 * provider that is not configured gets a failed run saying so — never a silent fallback to the demo model.
 */
@Component
@EnableConfigurationProperties(ProviderProperties.class)
class ModelProviders {

    private final Map<String, ChatModel> models = new HashMap<>();
    private final java.util.Set<String> openAi = new java.util.HashSet<>();
    private final EncodingRegistry encodings = Encodings.newLazyEncodingRegistry();

    ModelProviders(ProviderProperties properties) {
        models.put("demo", new DemoChatModel());
        properties.providers().forEach((name, provider) -> {
            if (!"openai".equals(provider.type())) {
                throw new IllegalStateException("retinue.runtime.providers." + name + ".type '" + provider.type()
                        + "' is not supported yet (openai covers OpenAI-compatible servers)");
            }
            openAi.add(name);
            models.put(name, OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder()
                    .baseUrl(provider.baseUrl())
                    .apiKey(provider.apiKey() == null || provider.apiKey().isBlank() ? "none" : provider.apiKey())
                    .timeout(provider.timeout())
                    .maxRetries(0)
                    .build())
                .build());
        });
    }

    /**
     * How the provider's model counts tokens: OpenAI-compatible models by their encoding (o200k_base when jtokkit does
     * not know the model name), every other provider by the estimate.
     */
    TokenCounter tokenCounter(String provider, String model) {
        if (!openAi.contains(provider)) {
            return new TokenCounter(null);
        }
        return new TokenCounter(encodings.getEncodingForModel(model)
            .orElseGet(() -> encodings.getEncoding(EncodingType.O200K_BASE)));
    }

    Optional<ChatModel> model(String provider) {
        return Optional.ofNullable(models.get(provider));
    }

    /** The options of one call, in the form the provider's Spring AI model takes them. */
    ToolCallingChatOptions options(String provider, String model, Double temperature, Integer maxTokens,
            List<ToolCallback> tools) {
        if (openAi.contains(provider)) {
            return OpenAiChatOptions.builder()
                .model(model)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .build();
        }
        return ToolCallingChatOptions.builder()
            .model(model)
            .temperature(temperature)
            .maxTokens(maxTokens)
            .toolCallbacks(tools)
            .build();
    }
}
