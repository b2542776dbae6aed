package io.retinue.runtime.internal.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.AnthropicChatOptions;

import com.knuddels.jtokkit.Encodings;

class ModelConnectionTest {

    /** Spring AI's per-call default (60 s for the whole call) cut off every answer streamed for longer. */
    @Test
    void aCallMayLastAsLongAsItsRun() {
        Duration run = Duration.ofMinutes(5);
        ModelConnection anthropic = new ModelConnection(ModelConnection.Kind.ANTHROPIC, new DemoChatModel(), List.of(),
                "anthropic", Encodings.newLazyEncodingRegistry(), Duration.ofSeconds(30));
        assertThat(((AnthropicChatOptions) anthropic.options("claude", null, null, List.of(), run)).getTimeout())
            .isEqualTo(run);
    }
}
