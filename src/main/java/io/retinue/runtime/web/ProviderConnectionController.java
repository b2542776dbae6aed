package io.retinue.runtime.web;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.runtime.internal.providers.ProviderConnections;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** The model provider connections agents can name: the installation's, and the tenant's own. */
@RestController
@RequestMapping(path = "/api/v1/model-providers", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Model providers", description = "Connections to model providers that agent configurations name")
class ProviderConnectionController {

    private final ProviderConnections connections;

    ProviderConnectionController(ProviderConnections connections) {
        this.connections = connections;
    }

    @GetMapping
    @Operation(operationId = "listModelProviders", summary = "The installation's connections and the tenant's",
            description = "Names, types, base URLs and models offered; never a key.")
    List<ProviderConnections.Connection> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return connections.list(caller.tenant());
    }

    @GetMapping("/{name}")
    @Operation(operationId = "getModelProvider", summary = "One connection",
            description = "The installation's or the tenant's connection of that name; never its key.")
    ProviderConnections.Connection get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name) {
        return connections.list(caller.tenant())
            .stream()
            .filter(connection -> connection.name().equals(name))
            .findFirst()
            .orElseThrow(() -> DomainProblem.notFound("Model provider '" + name + "'"));
    }

    @PutMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "putModelProvider", summary = "Define or replace a connection of the tenant",
            description = "type openai (and OpenAI-compatible servers), anthropic or ollama; baseUrl (not an internal "
                    + "address unless the installation allows it); models offered (none: any); credential "
                    + "credential:<name> (an api_key or bearer credential of the store) or env:<NAME> (only variables "
                    + "the installation allows); timeoutSeconds (default 120). The key is never stored here nor shown. "
                    + "409 for a name the installation uses.")
    @ApiResponse(responseCode = "200", description = "The connection as stored (never its key)")
    @ApiResponse(responseCode = "409", description = "The installation uses that name (runtime/provider-name-reserved)")
    ProviderConnections.Connection put(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name, @RequestBody ProviderConnections.ConnectionRequest request) {
        return connections.put(caller.tenant(), name, request);
    }

    @DeleteMapping("/{name}")
    @Operation(operationId = "deleteModelProvider", summary = "Delete a connection of the tenant",
            description = "Runs of agents that name it then fail with provider_not_configured.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String name) {
        if (!connections.delete(caller.tenant(), name)) {
            throw DomainProblem.notFound("Model provider '" + name + "'");
        }
        return ResponseEntity.noContent().build();
    }
}
