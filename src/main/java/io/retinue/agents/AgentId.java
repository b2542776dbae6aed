package io.retinue.agents;

import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The stable identity of an agent; its slug may be renamed later, its id never. */
public record AgentId(@JsonValue UUID value) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public AgentId {
        if (value == null) {
            throw new IllegalArgumentException("an agent id needs a value");
        }
    }

    public static AgentId random() {
        return new AgentId(UUID.randomUUID());
    }

    /** Reads an id from its text form, if it is one; slugs and other text yield nothing. */
    public static Optional<AgentId> parse(String text) {
        try {
            return text != null && text.length() == 36 ? Optional.of(new AgentId(UUID.fromString(text)))
                    : Optional.empty();
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
