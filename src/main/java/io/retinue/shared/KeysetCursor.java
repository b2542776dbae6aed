package io.retinue.shared;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where the next page of a list ordered newest first (by a time, then an id) begins: after the last item of the page
 * before. Opaque to clients, and bound to the list's filters, so that it cannot be replayed with others.
 */
public record KeysetCursor(Instant at, UUID id) {

    /** The cursor after {@code at}/{@code id}, for a list read with {@code filters}. */
    public static String after(Instant at, UUID id, String filters) {
        String text = at + "|" + id + "|" + Integer.toHexString(Objects.hashCode(filters));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor names; null for none; 400 invalid-parameter for one this list did not issue. */
    public static KeysetCursor read(String cursor, String filters) {
        if (cursor == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 3 || !parts[2].equals(Integer.toHexString(Objects.hashCode(filters)))) {
                throw new IllegalArgumentException();
            }
            return new KeysetCursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
        }
        catch (RuntimeException notIssued) {
            throw DomainProblem.invalidParameter("cursor", "the cursor was not issued by this list, or for other "
                    + "filters");
        }
    }

    /**
     * A page of {@code rows} read with {@code limit + 1} as their limit: the first {@code limit}, and the cursor after
     * the last of them when there was one more.
     */
    public static <T> Page<T> page(List<T> rows, int limit, Function<T, Instant> at, Function<T, UUID> id,
            String filters) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        T last = rows.get(limit - 1);
        return new Page<>(rows.subList(0, limit), after(at.apply(last), id.apply(last), filters));
    }

    /** The SQL condition for rows after this position, ordered by {@code timeColumn} and {@code id} descending. */
    public static String condition(String timeColumn) {
        return "(" + timeColumn + " < :cursorAt OR (" + timeColumn + " = :cursorAt AND id < :cursorId))";
    }
}
