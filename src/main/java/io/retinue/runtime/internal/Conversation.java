package io.retinue.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;

import tools.jackson.databind.json.JsonMapper;

import io.retinue.runtime.internal.sessions.TranscriptLine;

/**
 * A run's conversation and where the run stands in it: the messages so far, the model round in progress, and — while
 * it runs the tool calls the model asked for — which of them have answered and which wait for a person. That is all a
 * run needs to go on after a pause, so it is what a checkpoint stores.
 */
final class Conversation {

    /**
     * One requested tool call: its result once it has one, or why it waits for a person; {@code started} once the
     * run set out to make it (so that a run resumed after a crash knows the call may have run).
     */
    record Slot(String result, String awaiting, boolean started) {

        boolean answered() {
            return result != null;
        }
    }

    /** The stored form. */
    record Checkpoint(List<TranscriptLine> messages, int turnStart, int step, boolean repaired, List<Slot> slots) {
    }

    private final List<Message> messages;
    private final int turnStart;
    private int step;
    private boolean repaired;
    private Slot[] slots;

    private Conversation(List<Message> messages, int turnStart, int step, boolean repaired, Slot[] slots) {
        this.messages = messages;
        this.turnStart = turnStart;
        this.step = step;
        this.repaired = repaired;
        this.slots = slots;
    }

    /** A new turn: the instructions, the session's history, and the user's input. */
    static Conversation begin(Message system, List<Message> history, Message input) {
        List<Message> messages = new ArrayList<>();
        messages.add(system);
        messages.addAll(history);
        int turnStart = messages.size();
        messages.add(input);
        return new Conversation(messages, turnStart, 1, false, null);
    }

    static Conversation restore(Checkpoint checkpoint, JsonMapper json) {
        List<Message> messages = new ArrayList<>(checkpoint.messages().stream().map(line -> line.toMessage(json)).toList());
        return new Conversation(messages, checkpoint.turnStart(), checkpoint.step(), checkpoint.repaired(),
                checkpoint.slots() == null ? null : checkpoint.slots().toArray(Slot[]::new));
    }

    Checkpoint checkpoint(JsonMapper json) {
        return new Checkpoint(messages.stream().map(message -> TranscriptLine.of(message, json)).toList(), turnStart, step,
                repaired, slots == null ? null : List.of(slots));
    }

    List<Message> messages() {
        return messages;
    }

    int step() {
        return step;
    }

    void nextStep() {
        step++;
    }

    /** Adds the model's answer; when it asks for tools, their calls become the open slots. */
    void answered(AssistantMessage answer) {
        messages.add(answer);
        slots = answer.hasToolCalls() ? new Slot[answer.getToolCalls().size()] : null;
        if (slots != null) {
            Arrays.fill(slots, new Slot(null, null, false));
        }
    }

    /** True once the answer was asked to be repaired; a second invalid answer fails the run. */
    boolean repairOnce() {
        if (repaired) {
            return false;
        }
        repaired = true;
        return true;
    }

    void add(Message message) {
        messages.add(message);
    }

    /** The tool calls of the model's last answer. */
    List<AssistantMessage.ToolCall> calls() {
        return ((AssistantMessage) messages.getLast()).getToolCalls();
    }

    boolean hasOpenCalls() {
        return slots != null;
    }

    /** Indices of the calls that have no result yet (none asked for approval, or a person has decided). */
    List<Integer> unanswered() {
        return IntStream.range(0, slots.length).filter(i -> !slots[i].answered()).boxed().toList();
    }

    Slot slot(int index) {
        return slots[index];
    }

    void answer(int index, String result) {
        slots[index] = new Slot(result, null, true);
    }

    void await(int index, String reason) {
        slots[index] = new Slot(null, reason, slots[index].started());
    }

    void started(int index) {
        slots[index] = new Slot(slots[index].result(), slots[index].awaiting(), true);
    }

    /** The first call waiting for a person, or -1. */
    int firstAwaiting() {
        for (int i = 0; slots != null && i < slots.length; i++) {
            if (slots[i].awaiting() != null) {
                return i;
            }
        }
        return -1;
    }

    /** Once every call has answered: their results become the tool message and the round is over. */
    void closeCalls() {
        List<AssistantMessage.ToolCall> calls = calls();
        List<ToolResponseMessage.ToolResponse> responses = IntStream.range(0, slots.length)
            .mapToObj(i -> new ToolResponseMessage.ToolResponse(calls.get(i).id(), calls.get(i).name(), slots[i].result()))
            .toList();
        messages.add(ToolResponseMessage.builder().responses(responses).build());
        slots = null;
    }

    /** What this turn added to the conversation, for the session to keep. */
    List<Message> added() {
        return List.copyOf(messages.subList(turnStart, messages.size()));
    }
}
