package io.retinue.shared.outbound;

import java.util.regex.Pattern;

/**
 * Something Retinue calls out to (a model provider, an HTTP tool, a remote module). Calls are guarded per target;
 * only calls declared {@code idempotent} are retried.
 */
public record OutboundTarget(String name, boolean idempotent) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    public OutboundTarget {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an outbound target name is 1-200 of A-Z a-z 0-9 . _ : -");
        }
    }
}
