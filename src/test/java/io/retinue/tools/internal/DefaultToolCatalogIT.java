package io.retinue.tools.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolCatalogContract;

/** The in-process catalog ({@link DefaultToolCalls}) held to the contract its HTTP counterpart is held to. */
class DefaultToolCatalogIT extends ToolCatalogContract {

    @Autowired
    ToolCatalog catalog;

    @Override
    protected ToolCatalog catalog() {
        return catalog;
    }
}
