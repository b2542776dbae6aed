package io.retinue.agents.internal;

import java.util.Locale;

/** Whether new work may start from an agent; {@code DELETING} while its deletion asks the modules depending on it. */
public enum AgentStatus {
    ACTIVE, ARCHIVED, DELETING;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AgentStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
