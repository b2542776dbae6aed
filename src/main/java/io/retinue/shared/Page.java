package io.retinue.shared;

import java.util.List;
import java.util.function.Function;
import io.swagger.v3.oas.annotations.media.Schema;

/** One page of a list plus the opaque cursor of the next page (null on the last page). */
@Schema(description = "One page of a list; pass nextCursor back as cursor, with the same filters, for the next "
        + "(null on the last page)")
public record Page<T>(List<T> items, String nextCursor) {

    public Page {
        items = List.copyOf(items);
    }

    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), nextCursor);
    }
}
