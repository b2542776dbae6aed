package io.retinue.agents.web;

import java.util.List;

import io.retinue.shared.Page;
import io.swagger.v3.oas.annotations.media.Schema;

/** A page of items and the cursor of the next page (absent on the last page). */
@Schema(description = "One page of a list; pass nextCursor back as cursor, with the same filters, for the next "
        + "(null on the last page)")
record PageView<T>(List<T> items, @Schema(description = "Pass as ?cursor= for the next page; null on the last page") String nextCursor) {

    static <T> PageView<T> of(Page<T> page) {
        return new PageView<>(page.items(), page.nextCursor());
    }
}
