package io.retinue.tools.web;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.shared.Caller;
import io.retinue.tools.internal.McpServers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** MCP servers as tool sources: register (tools are discovered), sync, inspect health, remove. */
@RestController
@RequestMapping(path = "/api/v1/mcp-servers", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "MCP servers", description = "Model Context Protocol servers whose tools agents may use")
class McpServerController {

    private final McpServers servers;

    McpServerController(McpServers servers) {
        this.servers = servers;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "registerMcpServer", summary = "Register an MCP server and discover its tools",
            description = "transport streamable_http with url (and optional headers with {{secret:name}}), or stdio "
                    + "with command (an executable the installation allows). Tools become <name>.<tool>.")
    @ApiResponse(responseCode = "201", description = "The server with the tools found; Location names it")
    @ApiResponse(responseCode = "409", description = "A server of that name exists (tools/name-taken)")
    ResponseEntity<McpServers.ServerView> register(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody McpServers.Registration registration) {
        McpServers.ServerView server = servers.register(caller, registration);
        return ResponseEntity.created(URI.create("/api/v1/mcp-servers/" + server.name())).body(server);
    }

    @GetMapping
    @Operation(operationId = "listMcpServers", summary = "List MCP servers with their health and tools",
            description = "Each server's transport, health and the tools it offers.")
    List<McpServers.ServerView> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return servers.list(caller.tenant());
    }

    @GetMapping("/{name}")
    @Operation(operationId = "getMcpServer", summary = "One MCP server",
            description = "Its transport, health and the tools it offers.")
    McpServers.ServerView get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return servers.view(caller.tenant(), name);
    }

    @PostMapping("/{name}/sync")
    @Operation(operationId = "syncMcpServer", summary = "List the server's tools again now",
            description = "Its tools become what it lists now.")
    @ApiResponse(responseCode = "200", description = "The server with its health and the tools it lists now")
    McpServers.ServerView sync(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return servers.sync(caller.tenant(), name);
    }

    @DeleteMapping("/{name}")
    @Operation(operationId = "deleteMcpServer", summary = "Remove the server and its tools",
            description = "Its tools are removed with it.")
    @ApiResponse(responseCode = "204", description = "Removed, with its tools")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable String name) {
        servers.delete(caller.tenant(), name);
        return ResponseEntity.noContent().build();
    }
}
