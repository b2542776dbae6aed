package io.retinue.tools.internal;

import java.util.Locale;

/** How a tool runs. */
public enum ToolKind {
    BUILTIN, HTTP, MCP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ToolKind fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
