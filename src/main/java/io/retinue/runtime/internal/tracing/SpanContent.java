package io.retinue.runtime.internal.tracing;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;

import io.retinue.shared.SecretFields;
import io.retinue.shared.SecretText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Content as the GenAI semantic conventions put it on a span ({@code gen_ai.input.messages},
 * {@code gen_ai.output.messages}: JSON arrays of messages with typed parts), secret-looking values masked and each
 * text cut at {@link #LONGEST_TEXT} characters so that one long document does not make a span too big to export.
 */
final class SpanContent {

    static final int LONGEST_TEXT = 8192;

    private final JsonMapper json;

    SpanContent(JsonMapper json) {
        this.json = json;
    }

    /** The messages of a model call's prompt. */
    String messages(List<Message> messages) {
        ArrayNode out = json.createArrayNode();
        for (Message message : messages) {
            ObjectNode entry = out.addObject().put("role", role(message));
            ArrayNode parts = entry.putArray("parts");
            if (message instanceof ToolResponseMessage responses) {
                for (ToolResponseMessage.ToolResponse response : responses.getResponses()) {
                    parts.addObject()
                        .put("type", "tool_call_response")
                        .put("id", response.id())
                        .put("response", text(response.responseData()));
                }
            }
            else {
                parts(parts, message);
            }
        }
        return json.writeValueAsString(out);
    }

    /** A model's answer, with why it stopped ({@code stop} or {@code tool_call}). */
    String answer(AssistantMessage answer) {
        ArrayNode out = json.createArrayNode();
        ObjectNode entry = out.addObject().put("role", "assistant");
        parts(entry.putArray("parts"), answer);
        entry.put("finish_reason", answer.hasToolCalls() ? "tool_call" : "stop");
        return json.writeValueAsString(out);
    }

    /** A tool call's arguments: fields named as secrets masked, then secret-looking values in what is left. */
    String arguments(JsonNode arguments) {
        return arguments == null ? null : json.writeValueAsString(masked(arguments));
    }

    /** Free text (a tool's result, say), masked and cut. */
    String text(String text) {
        if (text == null) {
            return null;
        }
        String masked = SecretText.masked(text);
        return masked.length() <= LONGEST_TEXT ? masked
                : masked.substring(0, LONGEST_TEXT) + "… (" + (masked.length() - LONGEST_TEXT) + " more characters)";
    }

    private void parts(ArrayNode parts, Message message) {
        if (message.getText() != null && !message.getText().isEmpty()) {
            parts.addObject().put("type", "text").put("content", text(message.getText()));
        }
        if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
            for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
                ObjectNode part = parts.addObject()
                    .put("type", "tool_call")
                    .put("id", call.id())
                    .put("name", call.name());
                JsonNode arguments = parsed(call.arguments());
                if (arguments != null) {
                    part.set("arguments", masked(arguments));
                }
                else {
                    part.put("arguments", text(call.arguments()));
                }
            }
        }
    }

    /** A copy of {@code value} with secret fields masked and every text in it {@link #text masked and cut}. */
    private JsonNode masked(JsonNode value) {
        JsonNode copy = SecretFields.masked(value);
        maskTexts(copy);
        return copy;
    }

    private void maskTexts(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String name : List.copyOf(object.propertyNames())) {
                if (object.get(name).isString()) {
                    object.put(name, text(object.get(name).asString()));
                }
                else {
                    maskTexts(object.get(name));
                }
            }
        }
        else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isString()) {
                    array.set(i, json.getNodeFactory().stringNode(text(array.get(i).asString())));
                }
                else {
                    maskTexts(array.get(i));
                }
            }
        }
    }

    private JsonNode parsed(String arguments) {
        try {
            return arguments == null || arguments.isBlank() ? null : json.readTree(arguments);
        }
        catch (tools.jackson.core.JacksonException notJson) {
            return null;
        }
    }

    private static String role(Message message) {
        return switch (message.getMessageType()) {
            case SYSTEM -> "system";
            case USER -> "user";
            case ASSISTANT -> "assistant";
            case TOOL -> "tool";
        };
    }
}
