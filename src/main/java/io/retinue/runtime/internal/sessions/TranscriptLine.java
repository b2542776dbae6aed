package io.retinue.runtime.internal.sessions;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One conversation message in the form the runtime stores it — a session's history and a run's checkpoint alike:
 * a role, its text, and for an assistant its tool calls, for a tool message its results.
 */
public record TranscriptLine(String role, String content, JsonNode toolCalls) {

    public static TranscriptLine of(Message message, JsonMapper json) {
        return switch (message) {
            case AssistantMessage assistant -> new TranscriptLine("assistant", assistant.getText(),
                    assistant.hasToolCalls() ? json.valueToTree(assistant.getToolCalls()) : null);
            case ToolResponseMessage tools -> new TranscriptLine("tool", null, json.valueToTree(tools.getResponses()));
            case SystemMessage system -> new TranscriptLine("system", system.getText(), null);
            default -> new TranscriptLine("user", message.getText(), null);
        };
    }

    public Message toMessage(JsonMapper json) {
        return switch (role) {
            case "assistant" -> AssistantMessage.builder()
                .content(content)
                .toolCalls(toolCalls == null || toolCalls.isNull() ? List.of()
                        : json.convertValue(toolCalls, new TypeReference<List<AssistantMessage.ToolCall>>() {
                        }))
                .build();
            case "tool" -> ToolResponseMessage.builder()
                .responses(json.convertValue(toolCalls, new TypeReference<List<ToolResponseMessage.ToolResponse>>() {
                }))
                .build();
            case "system" -> new SystemMessage(content);
            default -> new UserMessage(content);
        };
    }
}
