package io.retinue.runtime.internal.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;

class TokenCounterTest {

    private final TokenCounter exact = new TokenCounter(
            Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE));
    private final TokenCounter estimate = new TokenCounter(null);

    @Test
    void countsWithTheEncodingOrEstimatesFourCharactersPerToken() {
        assertThat(exact.name()).isEqualTo("o200k_base");
        assertThat(exact.count("hello world")).isEqualTo(2);
        assertThat(exact.count("<|endoftext|>")).as("special tokens count as ordinary text").isGreaterThan(1);
        assertThat(estimate.name()).isEqualTo("estimate");
        assertThat(estimate.count("hello world")).as("11 characters, rounded up").isEqualTo(3);
        assertThat(estimate.count("")).isZero();
    }

    @Test
    void messagesAddTheirOverheadToolCallsAndResults() {
        assertThat(exact.count(new UserMessage("hello world"))).isEqualTo(2 + TokenCounter.PER_MESSAGE);
        AssistantMessage calling = AssistantMessage.builder()
            .content("")
            .toolCalls(List.of(new AssistantMessage.ToolCall("c1", "function", "lookup", "{\"q\":\"x\"}")))
            .build();
        assertThat(exact.count(calling)).isEqualTo(TokenCounter.PER_MESSAGE + exact.count("lookup")
                + exact.count("{\"q\":\"x\"}") + TokenCounter.PER_MESSAGE);
        ToolResponseMessage result = ToolResponseMessage.builder()
            .responses(List.of(new ToolResponseMessage.ToolResponse("c1", "lookup", "hello world")))
            .build();
        assertThat(exact.count(result)).isEqualTo(TokenCounter.PER_MESSAGE + 2 + TokenCounter.PER_MESSAGE);
    }

    @Test
    void cutsTextToABudget() {
        String text = "word ".repeat(100);
        assertThat(exact.count(exact.cut(text, 10))).isEqualTo(10);
        assertThat(exact.cut("short", 10)).isEqualTo("short");
        assertThat(estimate.cut(text, 10)).hasSize(40);
    }
}
