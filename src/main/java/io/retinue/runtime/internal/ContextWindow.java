package io.retinue.runtime.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentConfig;
import io.retinue.runtime.internal.providers.ModelConnection;
import io.retinue.runtime.internal.providers.ProviderFailure;
import io.retinue.runtime.internal.providers.ProviderProperties;
import io.retinue.runtime.internal.providers.TokenCounter;
import io.retinue.runtime.internal.sessions.SessionStorage;
import io.retinue.shared.outbound.OutboundCalls;

/**
 * The seed's ContextManager: keeps what a run sends the model inside the agent's context budget
 * ({@code context.windowTokens}, counting the answer's {@code maxOutputTokens} too). When a turn starts it keeps the
 * system prompt, the user's input and as many of the session's latest turns as fit (at most {@code keepTurns});
 * the earlier ones are dropped or — with {@code summarize} — summarised by the agent's model into a running summary
 * kept with the session and reused by later turns. Before each model call it trims tool results longer than
 * {@code maxToolResultTokens} when the prompt is over budget; summarising calls are held to the window too. Everything
 * it did is recorded with the run.
 */
@Component
class ContextWindow {

    static final String SUMMARY_HEADING = "Summary of the earlier conversation:";
    private static final String SUMMARISE = """
            You keep the memory of a conversation between a user and an assistant. Summarise it for the assistant's \
            own later use: keep names, numbers, facts learned from tools, decisions and open questions. Answer with \
            the summary only, in at most %d words.""";
    /** A summary's answer may take this share of the window (its {@code max_tokens}): one eighth, at least 32. */
    static final int SUMMARY_SHARE = 8;
    static final int MIN_SUMMARY_TOKENS = 32;
    /** A summary's answer without a window to take a share of. */
    static final int UNBOUNDED_SUMMARY_TOKENS = 1024;
    /** Token counts of pieces add up to about that of the whole; this is the slack left for the difference. */
    private static final int SLACK = 8;
    private static final String TRIMMED = " …[trimmed]";

    private final SessionStorage sessions;
    private final OutboundCalls outbound;
    /** The same bulkhead as the run's own calls to the connection: one limit per target. */
    private final int maxConcurrentCalls;

    ContextWindow(SessionStorage sessions, OutboundCalls outbound, ProviderProperties providers) {
        this.sessions = sessions;
        this.outbound = outbound;
        this.maxConcurrentCalls = providers.maxConcurrentModelCalls();
    }

    /** The conversation a new turn starts with: instructions (with the session's summary), earlier turns, input. */
    Conversation open(Turn turn, ModelConnection connection, String system, String input) {
        AgentConfig.ContextPolicy policy = turn.spec.config().context();
        SessionStorage.History history = turn.session == null ? SessionStorage.History.NONE
                : sessions.history(turn.session);
        List<List<SessionStorage.History.Line>> turns = turns(history.lines());
        TokenCounter counter = connection.tokenCounter(turn.spec.config().model().name());
        Integer available = available(turn);
        int first = policy.keepTurns() == null ? 0 : Math.max(0, turns.size() - policy.keepTurns());
        String summary = history.summary();
        int before = counter.count(messages(system, summary, turns, 0, input));
        first = fit(counter, available, system, summary, turns, first, input);
        int summarised = 0;
        String summaryError = null;
        if (first > 0 && policy.summarize()) {
            List<List<SessionStorage.History.Line>> dropped = turns.subList(0, first);
            try {
                summary = summarise(turn, connection, counter, summary, dropped);
                sessions.summarised(turn.session, summary, dropped.getLast().getLast().seq());
                summarised = dropped.size();
            }
            catch (RuntimeException failed) {
                summaryError = ProviderFailure.of(failed).message();
            }
            // The new summary takes room of its own: keep fitting.
            first = fit(counter, available, system, summary, turns, first, input);
        }
        List<Message> sent = messages(system, summary, turns, first, input);
        int after = counter.count(sent);
        boolean reused = summarised == 0 && summary != null;
        if (first > 0 || reused || summaryError != null) {
            turn.compacted(new RunUpdate.ContextCompacted(policy.windowTokens(), counter.name(), before, after,
                    turns.size() - first, first - summarised, summarised, reused, summaryError, 0,
                    available != null && after > available));
        }
        List<Message> earlier = new ArrayList<>();
        turns.subList(first, turns.size()).forEach(kept -> kept.forEach(line -> earlier.add(line.message())));
        return Conversation.begin(new SystemMessage(withSummary(system, summary)), earlier, new UserMessage(input));
    }

    /**
     * What to send for the next model call: the conversation as it is when it fits, else with tool results cut to
     * {@code maxToolResultTokens} (the conversation itself, and the session, keep them whole).
     */
    List<Message> prompt(Turn turn, ModelConnection connection, Conversation conversation) {
        List<Message> messages = List.copyOf(conversation.messages());
        Integer available = available(turn);
        if (available == null) {
            return messages;
        }
        TokenCounter counter = connection.tokenCounter(turn.spec.config().model().name());
        int before = counter.count(messages);
        if (before <= available) {
            return messages;
        }
        AgentConfig.ContextPolicy policy = turn.spec.config().context();
        int cap = policy.maxToolResultTokens() != null ? policy.maxToolResultTokens() : policy.windowTokens() / 4;
        int trimmed = 0;
        List<Message> sent = new ArrayList<>();
        for (Message message : messages) {
            if (message instanceof ToolResponseMessage tools) {
                List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
                for (ToolResponseMessage.ToolResponse response : tools.getResponses()) {
                    int tokens = counter.count(response.responseData());
                    if (tokens > cap) {
                        trimmed++;
                        responses.add(new ToolResponseMessage.ToolResponse(response.id(), response.name(),
                                counter.cut(response.responseData(), cap) + " …[trimmed to " + cap + " of " + tokens
                                        + " tokens]"));
                    }
                    else {
                        responses.add(response);
                    }
                }
                sent.add(ToolResponseMessage.builder().responses(responses).metadata(tools.getMetadata()).build());
            }
            else {
                sent.add(message);
            }
        }
        int after = counter.count(sent);
        RunUpdate.ContextCompacted sofar = turn.context() != null ? turn.context()
                : new RunUpdate.ContextCompacted(policy.windowTokens(), counter.name(), before, before, 0, 0, 0,
                        false, null, 0, false);
        turn.compacted(sofar.trimmed(before, after, trimmed, after > available));
        return sent;
    }

    /** Tokens the prompt may take: the window less the answer's room; null when the agent sets no window. */
    private static Integer available(Turn turn) {
        AgentConfig config = turn.spec.config();
        if (config.context().windowTokens() == null) {
            return null;
        }
        Integer answer = config.model().parameters().maxOutputTokens();
        return Math.max(1, config.context().windowTokens() - (answer == null ? 0 : answer));
    }

    /** The first turn to send so that the prompt fits, starting from {@code first}; never past the last turn. */
    private static int fit(TokenCounter counter, Integer available, String system, String summary,
            List<List<SessionStorage.History.Line>> turns, int first, String input) {
        if (available == null) {
            return first;
        }
        int start = first;
        while (start < turns.size() && counter.count(messages(system, summary, turns, start, input)) > available) {
            start++;
        }
        return start;
    }

    private static List<Message> messages(String system, String summary, List<List<SessionStorage.History.Line>> turns,
            int first, String input) {
        List<Message> messages = new ArrayList<>();
        messages.add(new SystemMessage(withSummary(system, summary)));
        turns.subList(first, turns.size()).forEach(kept -> kept.forEach(line -> messages.add(line.message())));
        messages.add(new UserMessage(input));
        return messages;
    }

    private static String withSummary(String system, String summary) {
        return summary == null ? system : system + "\n\n" + SUMMARY_HEADING + "\n" + summary;
    }

    /** The session's messages in turns: each starts with a user message and runs until the next. */
    private static List<List<SessionStorage.History.Line>> turns(List<SessionStorage.History.Line> lines) {
        List<List<SessionStorage.History.Line>> turns = new ArrayList<>();
        for (SessionStorage.History.Line line : lines) {
            if (turns.isEmpty() || line.message() instanceof UserMessage) {
                turns.add(new ArrayList<>());
            }
            turns.getLast().add(line);
        }
        return turns;
    }

    /**
     * Asks the agent's model to fold the dropped turns into the running summary, each call recorded as a step of the
     * run. A summarising call is held to the agent's window like the run's own: its answer gets {@code max_tokens} of
     * a share of the window, and its prompt the rest — the dropped turns are sent in as many calls as they need, each
     * building on the summary so far, and a single message too long for one call is cut.
     */
    private String summarise(Turn turn, ModelConnection connection, TokenCounter counter, String previous,
            List<List<SessionStorage.History.Line>> dropped) {
        Integer window = turn.spec.config().context().windowTokens();
        int answer = summaryTokens(window);
        String instructions = SUMMARISE.formatted(Math.max(16, answer * 3 / 4));
        List<String> lines = new ArrayList<>();
        dropped.forEach(kept -> kept.forEach(line -> lines.add(transcriptLine(line.message()))));
        // What the transcript may take of each call; a window too small for the instructions still gets a little.
        Integer room = window == null ? null : Math.max(MIN_SUMMARY_TOKENS,
                window - answer - SLACK - counter.count(List.of(new SystemMessage(instructions), new UserMessage(""))));
        String summary = previous;
        int next = 0;
        while (next < lines.size()) {
            StringBuilder transcript = new StringBuilder(head(counter, summary, room));
            int taken = 0;
            while (next < lines.size()) {
                String line = lines.get(next);
                if (room != null) {
                    int left = room - counter.count(transcript.toString());
                    if (counter.count(line + "\n") > left) {
                        if (taken > 0) {
                            break;
                        }
                        line = counter.cut(line, Math.max(1, left - SLACK)) + TRIMMED;
                    }
                }
                transcript.append(line).append('\n');
                taken++;
                next++;
            }
            summary = summariseOnce(turn, connection, instructions, transcript.toString(), answer);
        }
        return summary;
    }

    /** The answer room of a summarising call: a share of the agent's window. */
    static int summaryTokens(Integer window) {
        return window == null ? UNBOUNDED_SUMMARY_TOKENS : Math.max(MIN_SUMMARY_TOKENS, window / SUMMARY_SHARE);
    }

    /** The summary so far (at most half the room: one made before summaries were bounded may be longer). */
    private static String head(TokenCounter counter, String summary, Integer room) {
        if (summary == null) {
            return "Conversation to add:\n";
        }
        String kept = room == null || counter.count(summary) <= room / 2 ? summary
                : counter.cut(summary, Math.max(1, room / 2)) + TRIMMED;
        return "Summary so far:\n" + kept + "\n\nConversation to add:\n";
    }

    private String summariseOnce(Turn turn, ModelConnection connection, String instructions, String transcript,
            int answer) {
        AgentConfig config = turn.spec.config();
        Prompt prompt = new Prompt(List.of(new SystemMessage(instructions), new UserMessage(transcript)),
                connection.options(config.model().name(), null, answer, List.of(),
                        Duration.ofSeconds(config.limits().runTimeoutSeconds())));
        Instant started = turn.now();
        String name = config.model().provider() + "/" + config.model().name();
        ChatResponse response = outbound.call(connection.target(), Duration.ofSeconds(config.limits().runTimeoutSeconds()),
                maxConcurrentCalls, failure -> ProviderFailure.of(failure).isTransient(),
                () -> connection.model().call(prompt));
        Usage usage = response.getMetadata().getUsage();
        long in = usage == null || usage.getPromptTokens() == null ? 0 : usage.getPromptTokens();
        long out = usage == null || usage.getCompletionTokens() == null ? 0 : usage.getCompletionTokens();
        String summary = response.getResult().getOutput().getText();
        // Made while the run's first model call is prepared: of round 1.
        turn.modelStep(name, "summary", started, in, out, summary, new RunUpdate.StepFinished(1, name, "summary",
                Duration.between(started, turn.now()).toMillis(), in, out));
        if (summary == null || summary.isBlank()) {
            throw new IllegalStateException("the model answered the summary request with nothing");
        }
        return summary.strip();
    }

    private static String transcriptLine(Message message) {
        return switch (message) {
            case AssistantMessage assistant when assistant.hasToolCalls() -> "Assistant: "
                    + (assistant.getText() == null ? "" : assistant.getText() + " ") + assistant.getToolCalls()
                        .stream()
                        .map(call -> "[called " + call.name() + " with " + call.arguments() + "]")
                        .reduce("", String::concat);
            case AssistantMessage assistant -> "Assistant: " + assistant.getText();
            case ToolResponseMessage tools -> tools.getResponses()
                .stream()
                .map(response -> "Tool " + response.name() + " returned: " + response.responseData())
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
            default -> "User: " + message.getText();
        };
    }
}
