package io.retinue.runtime.internal.providers;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.DefaultResponseErrorHandler;
import org.springframework.web.client.RestClient;

import jakarta.annotation.PreDestroy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;

import io.retinue.shared.TenantId;

/**
 * The model connections agents can name by provider: the built-in {@code demo}; the installation's, configured under
 * {@code retinue.runtime.providers}; and each tenant's own ({@link ProviderConnections}) — OpenAI and OpenAI-compatible
 * servers (through {@link OpenAiChat}), Anthropic, and Ollama, each through a Spring AI model with no retries of its
 * own (retries and the breaker are the runtime's, so that only transient failures are retried). An agent naming a
 * provider that is not configured gets a failed run saying so — never a silent fallback to the demo model.
 */
@Component
@EnableConfigurationProperties(ProviderProperties.class)
public class ModelProviders {

    /** A tenant's connection client is rebuilt at least this often, so a rotated credential takes effect. */
    private static final Duration TENANT_CLIENT_TTL = Duration.ofSeconds(60);

    /** A connection whose key reference cannot be opened: the run fails saying so. */
    public static final class KeyMissing extends RuntimeException {

        KeyMissing(String message) {
            super(message);
        }
    }

    private final Map<String, ModelConnection> installation = new HashMap<>();
    private final Map<String, Built> tenants = new ConcurrentHashMap<>();
    private final ProviderConnections connections;
    /** One pooled HTTP client for every OpenAI-compatible connection, the installation's and the tenants'. */
    private final CloseableHttpClient openAiHttp = OpenAiChat.client();
    private final EncodingRegistry encodings = Encodings.newLazyEncodingRegistry();

    /** A tenant connection's client, and the definition and time it was built from. */
    private record Built(ModelConnection connection, Instant definedAt, long builtAtNanos) {
    }

    ModelProviders(ProviderProperties properties, ProviderConnections connections) {
        this.connections = connections;
        installation.put("demo", new ModelConnection(ModelConnection.Kind.DEMO, new DemoChatModel(), List.of(), "demo",
                encodings, ProviderProperties.Provider.DEFAULT_TIMEOUT));
        properties.providers().forEach((name, provider) -> {
            ModelConnection.Kind kind;
            try {
                kind = ModelConnection.Kind.of(provider.type());
            }
            catch (IllegalArgumentException unknown) {
                throw new IllegalStateException("retinue.runtime.providers." + name + ".type: " + unknown.getMessage());
            }
            String key = provider.apiKey() == null || provider.apiKey().isBlank() ? null : provider.apiKey();
            installation.put(name, new ModelConnection(kind,
                    client(kind, provider.baseUrl(), key, provider.timeout()), List.of(), name, encodings,
                    provider.timeout()));
        });
    }

    /** The connection an agent of the tenant names, the installation's first. */
    public Optional<ModelConnection> connection(TenantId tenant, String provider) {
        ModelConnection shared = installation.get(provider);
        if (shared != null) {
            return Optional.of(shared);
        }
        Optional<ProviderConnections.Connection> defined = connections.find(tenant, provider);
        if (defined.isEmpty()) {
            tenants.remove(tenant.value() + ":" + provider);
            return Optional.empty();
        }
        ProviderConnections.Connection connection = defined.get();
        String cacheKey = tenant.value() + ":" + provider;
        Built built = tenants.get(cacheKey);
        if (built == null || !built.definedAt().equals(connection.updatedAt())
                || System.nanoTime() - built.builtAtNanos() > TENANT_CLIENT_TTL.toNanos()) {
            String key = connections.key(tenant, connection.credential()).orElse(null);
            if (key == null && connection.credential() != null) {
                throw new KeyMissing("The key of connection '" + provider + "' (" + connection.credential()
                        + ") cannot be found");
            }
            ModelConnection.Kind kind = ModelConnection.Kind.of(connection.type());
            Duration timeout = Duration.ofSeconds(connection.timeoutSeconds());
            built = new Built(new ModelConnection(kind, client(kind, connection.baseUrl(), key, timeout),
                    connection.models(), cacheKey, encodings, timeout), connection.updatedAt(), System.nanoTime());
            tenants.put(cacheKey, built);
        }
        return Optional.of(built.connection());
    }

    @PreDestroy
    void close() throws java.io.IOException {
        openAiHttp.close();
    }

    /**
     * Anthropic's SDK loads its JSON mapper (Jackson with Kotlin reflection, a second or more) on its first call, under
     * a lock every concurrent first call waits on: with a burst of streams at once, half of them got their first piece
     * seconds late (ProvidersIT). Loaded here, when the connection is made, instead.
     */
    private static AnthropicChatModel.Builder anthropic() {
        com.anthropic.core.ObjectMappers.jsonMapper();
        return AnthropicChatModel.builder();
    }

    private ChatModel client(ModelConnection.Kind kind, String baseUrl, String key, Duration timeout) {
        return switch (kind) {
            case OPENAI -> new OpenAiChat(openAiHttp, baseUrl == null ? "https://api.openai.com/v1" : baseUrl, key,
                    timeout);
            case ANTHROPIC -> anthropic()
                .options(AnthropicChatOptions.builder()
                    .baseUrl(baseUrl == null ? "https://api.anthropic.com" : baseUrl)
                    .apiKey(key == null ? "none" : key)
                    .timeout(timeout)
                    .maxRetries(0)
                    .build())
                .build();
            // Spring's own error handler keeps the answer's status and headers (Retry-After); Spring AI's puts the
            // status and body into a message. The JDK's client, not the pooled one Spring would pick by default (five
            // connections to a host at most).
            case OLLAMA -> OllamaChatModel.builder()
                .ollamaApi(OllamaApi.builder()
                    .baseUrl(baseUrl == null ? "http://localhost:11434" : baseUrl)
                    .restClientBuilder(RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()))
                    .responseErrorHandler(new DefaultResponseErrorHandler())
                    .build())
                .retryTemplate(new RetryTemplate(RetryPolicy.builder().maxRetries(0).build()))
                .build();
            case DEMO -> throw new IllegalStateException("the demo provider is built in");
        };
    }
}
