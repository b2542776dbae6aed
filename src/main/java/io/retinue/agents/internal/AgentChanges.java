package io.retinue.agents.internal;

import java.util.Map;

/** A change to an agent's descriptive metadata; null fields stay as they are, labels are replaced as a whole. */
public record AgentChanges(String name, String description, Map<String, String> labels) {
}
