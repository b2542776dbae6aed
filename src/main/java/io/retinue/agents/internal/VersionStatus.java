package io.retinue.agents.internal;

import java.util.Locale;

/** A version is a draft (editable, never run) until published (frozen forever). */
public enum VersionStatus {
    DRAFT, PUBLISHED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VersionStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
