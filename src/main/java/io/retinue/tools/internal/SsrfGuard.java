package io.retinue.tools.internal;

import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.retinue.shared.outbound.AddressGuard;

/**
 * Keeps outbound tool HTTP (HTTP tools, MCP servers, OpenAPI imports) away from the inside, unless {@code host:port}
 * is on {@code retinue.tools.http.allowed-internal}. Checked again for every redirect.
 */
@Component
class SsrfGuard extends AddressGuard {

    SsrfGuard(@Value("${retinue.tools.http.allowed-internal:}") List<String> allowedInternal) {
        super(allowedInternal, "tools");
    }
}
