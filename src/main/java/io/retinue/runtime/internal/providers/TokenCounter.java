package io.retinue.runtime.internal.providers;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;

/**
 * Counts tokens as a model family does: with the model's OpenAI encoding (jtokkit) for OpenAI-compatible providers,
 * else with the documented estimate of one token per four characters, rounded up. Each message adds four tokens for
 * its role and separators, as OpenAI's chat format does.
 */
public final class TokenCounter {

    static final int PER_MESSAGE = 4;
    private static final int CHARS_PER_TOKEN = 4;

    /** Null: estimate from characters. */
    private final Encoding encoding;

    TokenCounter(Encoding encoding) {
        this.encoding = encoding;
    }

    /** How this counter counts: the encoding's name ({@code o200k_base}, …) or {@code estimate}. */
    public String name() {
        return encoding == null ? "estimate" : encoding.getName();
    }

    public int count(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        return encoding != null ? encoding.countTokensOrdinary(text)
                : (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    int count(Message message) {
        int tokens = PER_MESSAGE + count(message.getText());
        if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
            for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
                tokens += count(call.name()) + count(call.arguments()) + PER_MESSAGE;
            }
        }
        if (message instanceof ToolResponseMessage tools) {
            for (ToolResponseMessage.ToolResponse response : tools.getResponses()) {
                tokens += count(response.responseData()) + PER_MESSAGE;
            }
        }
        return tokens;
    }

    public int count(List<Message> messages) {
        return messages.stream().mapToInt(this::count).sum();
    }

    /** The text cut to at most {@code maxTokens} tokens. */
    public String cut(String text, int maxTokens) {
        if (count(text) <= maxTokens) {
            return text;
        }
        if (encoding == null) {
            return text.substring(0, Math.min(text.length(), maxTokens * CHARS_PER_TOKEN));
        }
        EncodingResult kept = encoding.encodeOrdinary(text, maxTokens);
        return encoding.decode(kept.getTokens());
    }
}
