package io.retinue.tools;

import java.util.List;

import io.retinue.shared.Caller;

/** Which tools an agent may ask for, as the runtime offers them to a model. */
public interface ToolCatalog {

    /** The enabled tools the caller, acting as {@code agent} (id or slug, may be null), is granted (allow or approval). */
    List<ToolDescriptor> availableTo(Caller caller, String agent);
}
