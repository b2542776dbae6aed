package io.retinue.runtime.internal.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;

import com.knuddels.jtokkit.Encodings;

class ModelConnectionTest {

    /** Spring AI's per-call default (60 s for the whole call) cut off every answer streamed for longer. */
    @Test
    void aCallMayLastAsLongAsItsRun() {
        Duration run = Duration.ofMinutes(5);
        ModelConnection openAi = new ModelConnection(ModelConnection.Kind.OPENAI,
                OpenAiClients.model("http://127.0.0.1:9/v1", "none", Duration.ofSeconds(30), 16), List.of(), "openai",
                Encodings.newLazyEncodingRegistry(), Duration.ofSeconds(30));
        assertThat(((OpenAiChatOptions) openAi.options("gpt-4o-mini", null, null, List.of(), run)).getTimeout())
            .isEqualTo(run);
        ModelConnection anthropic = new ModelConnection(ModelConnection.Kind.ANTHROPIC, openAi.model(), List.of(),
                "anthropic", Encodings.newLazyEncodingRegistry(), Duration.ofSeconds(30));
        assertThat(((AnthropicChatOptions) anthropic.options("claude", null, null, List.of(), run)).getTimeout())
            .isEqualTo(run);
    }
}
