package io.retinue.agents.internal;

import java.util.Locale;

/** Whether new work may start from an agent. */
public enum AgentStatus {
    ACTIVE, ARCHIVED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AgentStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
