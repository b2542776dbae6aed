package io.retinue.tools.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpTransportException;
import io.modelcontextprotocol.spec.McpSchema;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.AddressGuard;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.tracing.Traces;
import io.retinue.tools.ToolChanged;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * MCP servers as tool sources, through the official MCP Java SDK client: over Streamable HTTP (URL checked by the
 * SSRF guard) or as a stdio command (only executables on {@code retinue.tools.mcp.stdio-commands}). Registering a
 * server discovers its tools as {@code <server>.<tool>}; they are kept in sync on list-changed notifications, on
 * demand and every few minutes, and the server's health is recorded with each sync.
 */
@Service
public class McpServers implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(McpServers.class);

    /** A registered server as shown: never a secret. */
    @Schema(description = "A registered server as shown: never a secret")
    public record ServerView(String name, String transport, String url, List<String> command, String status,
            int toolCount, Instant lastSyncedAt, String lastError, List<String> tools) {
    }

    /** A server registration. */
    @Schema(description = "An MCP server to register: streamable_http with a url (and headers), or stdio with "
            + "a command")
    public record Registration(String name, String transport, String url, List<String> command,
            Map<String, String> headers) {
    }

    private record Key(TenantId tenant, String name) {
    }

    private record Stored(TenantId tenant, String name, String transport, String url, List<String> command,
            Map<String, String> headers) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ToolRegistry registry;
    private final ExecutionLedger clock;
    private final SsrfGuard guard;
    private final HttpTools httpTools;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Set<String> stdioCommands;
    private final Map<Key, McpSyncClient> clients = new ConcurrentHashMap<>();
    /** The credential values each server's headers were filled with: masked wherever its answers are shown. */
    private final Map<Key, Set<String>> secrets = new ConcurrentHashMap<>();

    McpServers(JdbcClient jdbc, JsonMapper json, ToolRegistry registry, ExecutionLedger clock, SsrfGuard guard,
            HttpTools httpTools, ApplicationEventPublisher events, TransactionTemplate transactions,
            @Value("${retinue.tools.mcp.stdio-commands:}") List<String> stdioCommands) {
        this.jdbc = jdbc;
        this.json = json;
        this.registry = registry;
        this.clock = clock;
        this.guard = guard;
        this.httpTools = httpTools;
        this.events = events;
        this.transactions = transactions;
        this.stdioCommands = Set.copyOf(stdioCommands);
    }

    public ServerView register(Caller caller, Registration registration) {
        List<Violation> violations = new ArrayList<>();
        if (registration.name() == null || !registration.name().matches("[a-z0-9][a-z0-9_-]{0,62}")
                || registration.name().equals("builtin")) {
            violations.add(new Violation("/name", "must be a lower-case namespace such as github (not builtin)"));
        }
        if ("streamable_http".equals(registration.transport())) {
            if (registration.url() == null) {
                violations.add(new Violation("/url", "is required for streamable_http"));
            }
            else {
                try {
                    guard.check(URI.create(registration.url()));
                }
                catch (AddressGuard.Refused | IllegalArgumentException refused) {
                    violations.add(new Violation("/url", "is refused: " + refused.getMessage()));
                }
            }
        }
        else if ("stdio".equals(registration.transport())) {
            if (registration.command() == null || registration.command().isEmpty()
                    || !stdioCommands.contains(registration.command().getFirst())) {
                violations.add(new Violation("/command",
                        "must start with an executable on this installation's retinue.tools.mcp.stdio-commands"));
            }
        }
        else {
            violations.add(new Violation("/transport", "must be streamable_http or stdio"));
        }
        if (!violations.isEmpty()) {
            throw DomainProblem.invalid(violations);
        }
        if (find(caller.tenant(), registration.name()).isPresent()) {
            throw new DomainProblem(ToolProblems.NAME_TAKEN, "An MCP server named '" + registration.name() + "' exists",
                    List.of(new Violation("/name", "is already in use")), Map.of());
        }
        jdbc.sql("""
                INSERT INTO tools.mcp_server (tenant_id, name, transport, url, command, headers, status, tool_count,
                    created_at)
                VALUES (:tenant, :name, :transport, :url, :command, :headers, 'registered', 0, :at)""")
            .param("tenant", caller.tenant().value())
            .param("name", registration.name())
            .param("transport", registration.transport())
            .param("url", registration.url())
            .param("command", registration.command() == null ? null : json.writeValueAsString(registration.command()))
            .param("headers", registration.headers() == null ? null : json.writeValueAsString(registration.headers()))
            .param("at", Timestamps.of(clock.now()))
            .update();
        return sync(caller.tenant(), registration.name());
    }

    /** Lists the server's tools again and brings the registry in line; records health either way. */
    public ServerView sync(TenantId tenant, String name) {
        Stored server = find(tenant, name).orElseThrow(() -> DomainProblem.notFound("MCP server '" + name + "'"));
        try {
            List<McpSchema.Tool> remote = listTools(client(server));
            // The registry's changes and their ToolChanged events commit together, as every other tool change does:
            // published outside a transaction, the events would reach no listener until a restart resubmitted them.
            int count = transactions.execute(status -> reconcile(server, remote));
            record(server, "healthy", count, null);
        }
        catch (RuntimeException unreachable) {
            log.warn("MCP server {} of tenant {} cannot be synced: {}", name, tenant, unreachable.toString());
            drop(new Key(tenant, name));
            record(server, "unreachable", null, unreachable.getMessage());
        }
        return view(tenant, name);
    }

    public List<ServerView> list(TenantId tenant) {
        return views(tenant, null);
    }

    public ServerView view(TenantId tenant, String name) {
        return views(tenant, name).stream()
            .findFirst()
            .orElseThrow(() -> DomainProblem.notFound("MCP server '" + name + "'"));
    }

    /** The tenant's servers (or the one named), each with its tools, from one registry search. */
    private List<ServerView> views(TenantId tenant, String name) {
        List<String> mcpTools = registry.search(tenant, null, null, ToolKind.MCP, null, null, Integer.MAX_VALUE)
            .stream()
            .map(Tool::name)
            .toList();
        return jdbc.sql("""
                SELECT name, transport, url, command, status, tool_count, last_synced_at, last_error
                FROM tools.mcp_server WHERE tenant_id = :tenant""" + (name == null ? "" : " AND name = :name")
                + " ORDER BY name")
            .params(name == null ? Map.of("tenant", tenant.value()) : Map.of("tenant", tenant.value(), "name", name))
            .query((rs, n) -> {
                String server = rs.getString("name");
                return new ServerView(server, rs.getString("transport"), rs.getString("url"),
                        rs.getString("command") == null ? null : List.of(json.readValue(rs.getString("command"), String[].class)),
                        rs.getString("status"), rs.getInt("tool_count"), Timestamps.read(rs, "last_synced_at"),
                        rs.getString("last_error"), mcpTools.stream().filter(tool -> tool.startsWith(server + ".")).toList());
            })
            .list();
    }

    public void delete(TenantId tenant, String name) {
        find(tenant, name).orElseThrow(() -> DomainProblem.notFound("MCP server '" + name + "'"));
        drop(new Key(tenant, name));
        transactions.executeWithoutResult(status -> {
            for (Tool tool : registry.search(tenant, null, null, ToolKind.MCP, null, null, Integer.MAX_VALUE)) {
                if (tool.name().startsWith(name + ".")) {
                    registry.delete(tenant, tool.name());
                    events.publishEvent(new ToolChanged(tenant, tool.name(), tool.version(),
                            ToolChanged.Change.DELETED, clock.now()));
                }
            }
            jdbc.sql("DELETE FROM tools.mcp_server WHERE tenant_id = :tenant AND name = :name")
                .param("tenant", tenant.value())
                .param("name", name)
                .update();
        });
    }

    /**
     * A call of a discovered tool with its server looked up — and, when no client to it is open yet, its credentials
     * read — ahead of the guarded call, so that only talking to the server is done where a cancel or a timeout may
     * interrupt.
     */
    record Prepared(Stored server, Map<String, String> headers, String tool, Map<String, Object> arguments) {
    }

    Prepared prepare(TenantId tenant, Tool tool, JsonNode arguments) {
        String server = tool.spec().path("server").asString();
        Stored stored = find(tenant, server)
            .orElseThrow(() -> new HttpTools.UpstreamError("the MCP server '" + server + "' is no longer registered"));
        @SuppressWarnings("unchecked")
        Map<String, Object> args = json.convertValue(arguments, Map.class);
        Map<String, String> headers = clients.containsKey(new Key(tenant, server)) ? null : headers(stored);
        return new Prepared(stored, headers, tool.spec().path("tool").asString(), args);
    }

    /**
     * The server could not be reached, broke off, did not answer or its process exited: a transient failure, told in
     * the user's terms (never the SDK's own message), after which the next call starts a fresh client.
     */
    static final class Unreachable extends RuntimeException {

        Unreachable(String message) {
            super(message);
        }
    }

    /** The server answered the call with a JSON-RPC error (an unknown tool, arguments it refuses): not transient. */
    static final class ToolError extends RuntimeException {

        ToolError(String message) {
            super(message);
        }
    }

    /** Calls a discovered tool on its server. */
    McpSchema.CallToolResult call(Prepared call) {
        Key key = new Key(call.server().tenant(), call.server().name());
        McpSyncClient client;
        try {
            client = client(call.server(), call.headers());
        }
        catch (AddressGuard.Refused | HttpTools.UpstreamError | Unreachable notStarted) {
            throw notStarted;
        }
        catch (RuntimeException failure) {
            throw unreachable(call.server(), failure);
        }
        try {
            return client.callTool(new McpSchema.CallToolRequest(call.tool(), call.arguments()));
        }
        catch (McpError answered) {
            throw new ToolError("the MCP server '" + call.server().name() + "' refused the call: "
                    + HttpTools.mask(answered.getJsonRpcError() == null ? "error" : answered.getJsonRpcError().message(),
                            secretsOf(call)));
        }
        catch (RuntimeException failure) {
            drop(key, client);
            throw unreachable(call.server(), failure);
        }
    }

    private static Unreachable unreachable(Stored server, Throwable failure) {
        return new Unreachable("the MCP server '" + server.name() + "' cannot be reached: " + reason(failure));
    }

    /** What went wrong in the user's terms, from the failure's causes (the SDK's own messages name its internals). */
    private static String reason(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof McpTransportException) {
                return ConnectionFailures.reason(failure, "it answered with an error or not in MCP");
            }
        }
        return ConnectionFailures.reason(failure, "the connection to it failed or was closed");
    }

    @Scheduled(fixedDelayString = "${retinue.tools.mcp.refresh:5m}", initialDelayString = "${retinue.tools.mcp.refresh:5m}")
    void refreshAll() {
        jdbc.sql("SELECT tenant_id, name FROM tools.mcp_server")
            .query((rs, n) -> new Key(new TenantId(rs.getString("tenant_id")), rs.getString("name")))
            .list()
            .forEach(key -> sync(key.tenant(), key.name()));
    }

    private int reconcile(Stored server, List<McpSchema.Tool> remote) {
        Map<String, McpSchema.Tool> wanted = new HashMap<>();
        for (McpSchema.Tool tool : remote) {
            wanted.put(server.name() + "." + tool.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "_"),
                    tool);
        }
        for (Map.Entry<String, McpSchema.Tool> entry : wanted.entrySet()) {
            McpSchema.Tool tool = entry.getValue();
            JsonNode schema = json.valueToTree(tool.inputSchema());
            String description = tool.description() == null || tool.description().isBlank() ? tool.name()
                    : tool.description();
            Optional<Tool> current = registry.current(server.tenant(), entry.getKey());
            if (current.isPresent() && current.get().inputSchema().equals(schema)
                    && current.get().description().equals(description)) {
                continue;
            }
            boolean idempotent = tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().idempotentHint());
            Tool next = new Tool(UUID.randomUUID(), server.tenant(), entry.getKey(),
                    current.map(existing -> existing.version() + 1).orElse(1), description.length() > 2000
                            ? description.substring(0, 2000) : description,
                    ToolKind.MCP, schema, null, Set.of("mcp", server.name()), current.map(Tool::enabled).orElse(true),
                    idempotent, 30_000, 262_144, 16,
                    json.createObjectNode().put("server", server.name()).put("tool", tool.name()), clock.now());
            registry.insert(next);
            events.publishEvent(new ToolChanged(server.tenant(), next.name(), next.version(),
                    current.isPresent() ? ToolChanged.Change.REVISED : ToolChanged.Change.REGISTERED, next.createdAt()));
        }
        for (Tool existing : registry.search(server.tenant(), null, null, ToolKind.MCP, true, null, Integer.MAX_VALUE)) {
            if (existing.name().startsWith(server.name() + ".") && !wanted.containsKey(existing.name())) {
                registry.setEnabled(server.tenant(), existing.name(), false);
                events.publishEvent(new ToolChanged(server.tenant(), existing.name(), existing.version(),
                        ToolChanged.Change.DISABLED, clock.now()));
            }
        }
        return wanted.size();
    }

    private static List<McpSchema.Tool> listTools(McpSyncClient client) {
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        }
        while (cursor != null);
        return tools;
    }

    private void record(Stored server, String status, Integer toolCount, String error) {
        jdbc.sql("""
                UPDATE tools.mcp_server SET status = :status, last_synced_at = :at, last_error = :error,
                    tool_count = COALESCE(:count, tool_count)
                WHERE tenant_id = :tenant AND name = :name""")
            .param("status", status)
            .param("at", Timestamps.of(clock.now()))
            .param("error", error == null ? null : error.substring(0, Math.min(2000, error.length())))
            .param("count", toolCount)
            .param("tenant", server.tenant().value())
            .param("name", server.name())
            .update();
    }

    private Optional<Stored> find(TenantId tenant, String name) {
        return jdbc.sql("SELECT transport, url, command, headers FROM tools.mcp_server WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .query((rs, n) -> new Stored(tenant, name, rs.getString("transport"), rs.getString("url"),
                    rs.getString("command") == null ? null : List.of(json.readValue(rs.getString("command"), String[].class)),
                    rs.getString("headers") == null ? Map.of()
                            : json.readValue(rs.getString("headers"), new tools.jackson.core.type.TypeReference<Map<String, String>>() {
                            })))
            .optional();
    }

    private McpSyncClient client(Stored server) {
        return client(server, null);
    }

    /**
     * The open client to a server, else a new one: with {@code headers} when read already, else reading them. The
     * client of a stdio server is dropped as soon as its process exits, so a call in flight fails at once and the next
     * one starts the process again instead of waiting on a dead pipe for the request timeout.
     */
    private McpSyncClient client(Stored server, Map<String, String> headers) {
        Key key = new Key(server.tenant(), server.name());
        return clients.computeIfAbsent(key, ignored -> {
            McpClientTransport transport = transport(server, headers != null ? headers : headers(server));
            McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation("retinue", "0.1.0"))
                .toolsChangeConsumer(tools -> Thread.ofVirtual().start(() -> sync(server.tenant(), server.name())))
                .build();
            try {
                client.initialize();
            }
            catch (RuntimeException failed) {
                client.close();
                throw failed;
            }
            if (transport instanceof StdioClientTransport process) {
                Thread.ofVirtual().name("mcp-exit-" + server.name()).start(() -> dropOnExit(key, client, process));
            }
            return client;
        });
    }

    private void dropOnExit(Key key, McpSyncClient client, StdioClientTransport process) {
        try {
            process.awaitForExit();
        }
        catch (RuntimeException interrupted) {
            return;
        }
        if (clients.remove(key, client)) {
            log.warn("The process of MCP server {} of tenant {} exited; it is started again on the next call",
                    key.name(), key.tenant());
            client.close();
        }
    }

    /**
     * The server's headers with their credential references filled (none for a local process), noting the values
     * filled in, which its answers must never show ({@link #secretsOf}).
     */
    private Map<String, String> headers(Stored server) {
        if ("stdio".equals(server.transport())) {
            return Map.of();
        }
        Set<String> filled = new java.util.HashSet<>();
        Map<String, String> headers = httpTools.reveal(server.tenant(), server.headers(), filled);
        secrets.put(new Key(server.tenant(), server.name()), Set.copyOf(filled));
        return headers;
    }

    /** The credential values sent to the server: masked in whatever of its answers is shown or kept. */
    Set<String> secretsOf(Prepared call) {
        return secrets.getOrDefault(new Key(call.server().tenant(), call.server().name()), Set.of());
    }

    private McpClientTransport transport(Stored server, Map<String, String> headers) {
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(json);
        if ("stdio".equals(server.transport())) {
            List<String> command = server.command();
            return new StdioClientTransport(ServerParameters.builder(command.getFirst())
                .args(command.subList(1, command.size()))
                .build(), mapper);
        }
        URI uri = URI.create(server.url());
        guard.check(uri);
        String base = uri.getScheme() + "://" + uri.getAuthority();
        String endpoint = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/mcp" : uri.getRawPath();
        return HttpClientStreamableHttpTransport.builder(base)
            .endpoint(endpoint)
            .jsonMapper(mapper)
            .httpRequestCustomizer((request, method, target, body, context) -> {
                headers.forEach(request::header);
                // The tool call's span, when the request is made in the call (not by the session's own stream).
                String traceparent = OutboundCalls.traceparent();
                if (traceparent != null) {
                    request.setHeader(Traces.HEADER, traceparent);
                }
            })
            .build();
    }


    /** Drops a client that failed, if it is still the open one, without waiting for a graceful close. */
    private void drop(Key key, McpSyncClient client) {
        if (clients.remove(key, client)) {
            client.close();
        }
    }

    private void drop(Key key) {
        McpSyncClient client = clients.remove(key);
        if (client != null) {
            try {
                client.closeGracefully();
            }
            catch (RuntimeException ignored) {
                client.close();
            }
        }
    }

    /** Closes every client of the tenant's servers (their rows are being erased with the tenant). */
    void forget(TenantId tenant) {
        clients.keySet().stream().filter(key -> key.tenant().equals(tenant)).toList().forEach(this::drop);
        secrets.keySet().removeIf(key -> key.tenant().equals(tenant));
    }

    @Override
    public void destroy() {
        clients.keySet().forEach(this::drop);
    }
}
