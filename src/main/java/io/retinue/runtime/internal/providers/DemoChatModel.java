package io.retinue.runtime.internal.providers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

import reactor.core.publisher.Flux;

import io.retinue.runtime.internal.AgentLoop;


/**
 * The built-in {@code demo} provider: a deterministic stand-in for a real model, so the platform shows a working
 * agent with no key and no network. Every answer says it comes from the demo model. It asks for
 * {@code builtin.calculator} when the input holds arithmetic, for {@code builtin.clock} when it asks for the time
 * (if the agent has those tools), reports tool results, and otherwise echoes the input.
 */
final class DemoChatModel implements ChatModel {

    static final String LABEL = "[demo model] ";
    private static final Pattern ARITHMETIC = Pattern.compile("(\\(?-?\\d+(?:\\.\\d+)?\\s*[-+*/]\\s*[-+*/().\\d\\s]*\\d\\)?)");

    @Override
    public ChatResponse call(Prompt prompt) {
        List<Message> messages = prompt.getInstructions();
        Message last = messages.getLast();
        Set<String> tools = offeredTools(prompt);
        String reply;
        AssistantMessage.ToolCall toolCall = null;
        if (last instanceof ToolResponseMessage results) {
            reply = LABEL + results.getResponses()
                .stream()
                .map(response -> "The tool " + AgentLoop.toolName(response.name()) + " returned: "
                        + response.responseData())
                .collect(Collectors.joining(" "));
        }
        else {
            String input = last instanceof UserMessage user ? user.getText() : String.valueOf(last.getText());
            Matcher arithmetic = ARITHMETIC.matcher(input);
            if (tools.contains(AgentLoop.modelName("builtin.calculator")) && arithmetic.find()) {
                toolCall = call(AgentLoop.modelName("builtin.calculator"),
                        "{\"expression\":\"" + arithmetic.group(1).trim() + "\"}");
                reply = "";
            }
            else if (tools.contains(AgentLoop.modelName("builtin.clock"))
                    && input.toLowerCase(Locale.ROOT).contains("time")) {
                toolCall = call(AgentLoop.modelName("builtin.clock"), "{}");
                reply = "";
            }
            else {
                reply = LABEL + "You said: " + input;
            }
        }
        AssistantMessage.Builder<?> message = AssistantMessage.builder().content(reply);
        if (toolCall != null) {
            message.toolCalls(List.of(toolCall));
        }
        int promptTokens = messages.stream().mapToInt(m -> words(String.valueOf(m.getText()))).sum();
        // Says how it ended, as a provider does: the runtime completes a run only from an answer that did.
        return new ChatResponse(List.of(new Generation(message.build(), FINISHED)), ChatResponseMetadata.builder()
            .model("demo")
            .usage(new DefaultUsage(promptTokens, Math.max(1, words(reply))))
            .build());
    }

    private static final ChatGenerationMetadata FINISHED = ChatGenerationMetadata.builder().finishReason("stop").build();

    /** The same answer, word by word, the way a provider streams: the tool calls and the usage come last. */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        ChatResponse whole = call(prompt);
        AssistantMessage answer = whole.getResult().getOutput();
        List<ChatResponse> parts = new ArrayList<>();
        for (String word : answer.getText().split("(?<=\\s)")) {
            if (!word.isEmpty()) {
                parts.add(new ChatResponse(List.of(new Generation(AssistantMessage.builder().content(word).build()))));
            }
        }
        parts.add(new ChatResponse(List.of(new Generation(AssistantMessage.builder()
            .content("")
            .toolCalls(answer.getToolCalls())
            .build(), FINISHED)), whole.getMetadata()));
        return Flux.fromIterable(parts);
    }

    private static AssistantMessage.ToolCall call(String name, String arguments) {
        return new AssistantMessage.ToolCall("call_" + UUID.randomUUID().toString().substring(0, 8), "function", name,
                arguments);
    }

    private static Set<String> offeredTools(Prompt prompt) {
        if (prompt.getOptions() instanceof ToolCallingChatOptions options && options.getToolCallbacks() != null) {
            return options.getToolCallbacks()
                .stream()
                .map(ToolCallback::getToolDefinition)
                .map(definition -> definition.name())
                .collect(Collectors.toSet());
        }
        return Set.of();
    }

    private static int words(String text) {
        return text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }
}
