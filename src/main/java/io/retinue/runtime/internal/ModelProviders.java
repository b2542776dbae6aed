package io.retinue.runtime.internal;

import java.util.Map;
import java.util.Optional;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.stereotype.Component;

/**
 * The chat models agents can name by provider. This slice knows the built-in {@code demo} provider; an agent naming a
 * provider that is not configured here gets a failed run saying so — never a silent fallback to the demo model.
 */
@Component
class ModelProviders {

    private final Map<String, ChatModel> models = Map.of("demo", new DemoChatModel());

    Optional<ChatModel> model(String provider) {
        return Optional.ofNullable(models.get(provider));
    }
}
