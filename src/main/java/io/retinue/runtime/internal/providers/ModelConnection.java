package io.retinue.runtime.internal.providers;

import java.time.Duration;
import java.util.List;

import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.ollama.api.OllamaChatOptions;
import org.springframework.ai.tool.ToolCallback;

import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import io.retinue.shared.outbound.OutboundTarget;

/**
 * A connection to a model provider as a run uses it: its Spring AI chat model, the call options in the form that
 * model takes them, how it counts tokens, the models it offers, how long it may keep a call waiting, and the
 * outbound target (breaker, bulkhead) its calls go through — one per connection, so that one tenant's failing
 * connection does not pause another's.
 */
public final class ModelConnection {

    /** The kinds of connection, by the API they speak. */
    enum Kind {
        DEMO, OPENAI, ANTHROPIC, OLLAMA;

        static Kind of(String type) {
            return switch (type) {
                case "openai" -> OPENAI;
                case "anthropic" -> ANTHROPIC;
                case "ollama" -> OLLAMA;
                default -> throw new IllegalArgumentException("'" + type
                        + "' is not one of openai (and OpenAI-compatible servers), anthropic, ollama");
            };
        }
    }

    private final Kind kind;
    private final ChatModel model;
    private final List<String> models;
    private final OutboundTarget target;
    private final OutboundTarget turnTarget;
    private final EncodingRegistry encodings;
    private final Duration timeout;

    ModelConnection(Kind kind, ChatModel model, List<String> models, String targetName, EncodingRegistry encodings,
            Duration timeout) {
        this.kind = kind;
        this.model = model;
        this.models = List.copyOf(models);
        this.target = new OutboundTarget("model:" + targetName, true);
        this.turnTarget = new OutboundTarget(target.name(), false);
        this.encodings = encodings;
        this.timeout = timeout;
    }

    /**
     * How long the provider may keep a call waiting: for a whole answer the wait for all of it; for a streamed one the
     * wait for its first piece and between two pieces (a long answer that keeps coming is bounded by the run only).
     */
    public Duration timeout() {
        return timeout;
    }

    public ChatModel model() {
        return model;
    }

    /** The API the connection speaks, as OpenTelemetry's gen_ai.provider.name names it (demo: {@code retinue.demo}). */
    public String providerName() {
        return kind == Kind.DEMO ? "retinue.demo" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The connection's target, its calls retried by the outbound guard (as summaries are). */
    public OutboundTarget target() {
        return target;
    }

    /**
     * The same target (the same breaker and bulkhead) for the calls of a run's steps, which {@link ProviderRetries}
     * retries instead of the guard: only it knows whether part of an answer was reported and how long the run has.
     */
    public OutboundTarget turnTarget() {
        return turnTarget;
    }

    /** Whether the connection offers the model (a connection that lists none offers any). */
    public boolean offers(String modelName) {
        return models.isEmpty() || models.contains(modelName);
    }

    /**
     * The options of one call, which may last {@code atMost}: a call's options replace the client's, and Spring AI's
     * own default (60 s for the whole call) would cut off any answer streamed for longer.
     */
    public ToolCallingChatOptions options(String modelName, Double temperature, Integer maxTokens,
            List<ToolCallback> tools, Duration atMost) {
        return switch (kind) {
            case ANTHROPIC -> AnthropicChatOptions.builder()
                .model(modelName)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .timeout(atMost)
                .build();
            case OLLAMA -> OllamaChatOptions.builder()
                .model(modelName)
                .temperature(temperature)
                .numPredict(maxTokens)
                .toolCallbacks(tools)
                .build();
            case OPENAI, DEMO -> ToolCallingChatOptions.builder()
                .model(modelName)
                .temperature(temperature)
                .maxTokens(maxTokens)
                .toolCallbacks(tools)
                .build();
        };
    }

    /**
     * How the model counts tokens: OpenAI-compatible models by their encoding (o200k_base when jtokkit does not know
     * the model name), every other kind by the estimate.
     */
    public TokenCounter tokenCounter(String modelName) {
        if (kind != Kind.OPENAI) {
            return new TokenCounter(null);
        }
        return new TokenCounter(encodings.getEncodingForModel(modelName)
            .orElseGet(() -> encodings.getEncoding(EncodingType.O200K_BASE)));
    }
}
