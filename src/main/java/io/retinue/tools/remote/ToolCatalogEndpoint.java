package io.retinue.tools.remote;

import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;

/**
 * {@link ToolCatalog} for other Retinue processes: the tools the token's caller, acting as {@code agent}, may be
 * offered — the caller is the one the token names, so its grants, tenant and agent restrictions are those it has.
 */
@RestController
@RequestMapping(path = "/internal/v1/tools", produces = "application/json")
@ConditionalOnModule("tools")
class ToolCatalogEndpoint {

    private final ToolCatalog catalog;

    ToolCatalogEndpoint(ToolCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/available")
    List<ToolDescriptor> availableTo(@AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String agent) {
        return catalog.availableTo(caller, agent);
    }
}
