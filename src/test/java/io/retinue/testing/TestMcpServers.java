package io.retinue.testing;

import java.io.File;
import java.util.List;
import java.util.Map;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import tools.jackson.databind.json.JsonMapper;

/**
 * MCP servers written with the official MCP Java SDK, for the tests: one over Streamable HTTP on a loopback Tomcat,
 * and one over stdio ({@link #main}, started as its own process by the platform).
 */
public final class TestMcpServers {

    private static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(JsonMapper.builder().build());
    private static TestMcpServers http;
    private static TcpProxy relay;

    private final Tomcat tomcat;
    private final McpSyncServer server;
    private final java.util.Deque<String> received = new java.util.concurrent.ConcurrentLinkedDeque<>();

    private TestMcpServers() throws LifecycleException {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(MAPPER)
            .mcpEndpoint("/mcp")
            .build();
        server = McpServer.sync(transport)
            .serverInfo("test-http-mcp", "1.0.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(echo(), add(), broken())
            .build();
        tomcat = new Tomcat();
        tomcat.setPort(0);
        tomcat.setBaseDir(new File(System.getProperty("java.io.tmpdir"), "retinue-test-mcp-" + ProcessHandle.current().pid())
            .getAbsolutePath());
        Context context = tomcat.addContext("", null);
        Wrapper servlet = Tomcat.addServlet(context, "mcp", transport);
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/mcp", "mcp");
        FilterDef traceparents = new FilterDef();
        traceparents.setFilterName("traceparents");
        traceparents.setFilter((request, response, chain) -> {
            String traceparent = ((jakarta.servlet.http.HttpServletRequest) request).getHeader("traceparent");
            if (traceparent != null) {
                received.addLast(traceparent);
            }
            chain.doFilter(request, response);
        });
        traceparents.setAsyncSupported("true");
        context.addFilterDef(traceparents);
        FilterMap everything = new FilterMap();
        everything.setFilterName("traceparents");
        everything.addURLPattern("/*");
        context.addFilterMap(everything);
        tomcat.getConnector();
        tomcat.start();
    }

    /** The Streamable HTTP server, started once per test run. */
    public static synchronized TestMcpServers http() {
        if (http == null) {
            try {
                http = new TestMcpServers();
            }
            catch (LifecycleException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return http;
    }

    /**
     * A relay in front of the Streamable HTTP server (started once, on a port the application may reach), which a
     * test stops, makes hang or break off answers to play a server that is down or fails mid-answer; tests that
     * change it restore it with {@code start()} and {@code relay()}.
     */
    public static synchronized TcpProxy relay() {
        if (relay == null) {
            relay = new TcpProxy(http().port()).start();
        }
        return relay;
    }

    /** The URL of the Streamable HTTP server behind {@link #relay()}. */
    public static String relayedUrl() {
        return "http://localhost:" + relay().port() + "/mcp";
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    public String url() {
        return "http://localhost:" + port() + "/mcp";
    }

    /** The {@code traceparent} headers of the requests the Streamable HTTP server received, oldest first. */
    public List<String> traceparents() {
        return List.copyOf(received);
    }

    /** Adds a tool at run time and tells connected clients that the list changed. */
    public void addTool(String name) {
        server.addTool(McpServerFeatures.SyncToolSpecification.builder()
            .tool(McpSchema.Tool.builder().name(name).description("Added later").inputSchema(MAPPER, """
                    {"type":"object","properties":{}}""").build())
            .callHandler((exchange, request) -> McpSchema.CallToolResult.builder().addTextContent("late").build())
            .build());
        server.notifyToolsListChanged();
    }

    private static McpServerFeatures.SyncToolSpecification echo() {
        return McpServerFeatures.SyncToolSpecification.builder()
            .tool(McpSchema.Tool.builder().name("echo").description("Echoes a message").inputSchema(MAPPER, """
                    {"type":"object","required":["message"],"properties":{"message":{"type":"string"}}}""").build())
            .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                .addTextContent("echo: " + request.arguments().get("message"))
                .build())
            .build();
    }

    private static McpServerFeatures.SyncToolSpecification add() {
        return McpServerFeatures.SyncToolSpecification.builder()
            .tool(McpSchema.Tool.builder().name("add").description("Adds two numbers").inputSchema(MAPPER, """
                    {"type":"object","required":["a","b"],"properties":{"a":{"type":"number"},"b":{"type":"number"}}}""")
                .build())
            .callHandler((exchange, request) -> {
                double sum = ((Number) request.arguments().get("a")).doubleValue()
                        + ((Number) request.arguments().get("b")).doubleValue();
                return McpSchema.CallToolResult.builder().structuredContent(Map.of("sum", sum))
                    .addTextContent("{\"sum\":" + sum + "}")
                    .build();
            })
            .build();
    }

    private static McpServerFeatures.SyncToolSpecification broken() {
        return McpServerFeatures.SyncToolSpecification.builder()
            .tool(McpSchema.Tool.builder().name("broken").description("Always fails").inputSchema(MAPPER, """
                    {"type":"object","properties":{}}""").build())
            .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                .addTextContent("the backend is down")
                .isError(true)
                .build())
            .build();
    }

    /** The command that starts the stdio server as its own process, from this JVM's own class path. */
    public static List<String> stdioCommand() {
        return List.of(javaExecutable(), "-cp", System.getProperty("java.class.path"), TestMcpServers.class.getName());
    }

    /** As {@link #stdioCommand()}, with a last argument (ignored by the server) by which a test finds its process. */
    public static List<String> stdioCommand(String marker) {
        return List.of(javaExecutable(), "-cp", System.getProperty("java.class.path"), TestMcpServers.class.getName(),
                marker);
    }

    public static String javaExecutable() {
        return new File(System.getProperty("java.home"), "bin/java").getAbsolutePath();
    }

    /** The stdio MCP server: one tool, reverse. */
    public static void main(String[] args) {
        // Standard output is the protocol channel: no log line may go there.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.OFF);
        McpServer.sync(new StdioServerTransportProvider(MAPPER))
            .serverInfo("test-stdio-mcp", "1.0.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name("reverse").description("Reverses text").inputSchema(MAPPER, """
                        {"type":"object","required":["text"],"properties":{"text":{"type":"string"}}}""").build())
                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                    .addTextContent(new StringBuilder(String.valueOf(request.arguments().get("text"))).reverse().toString())
                    .build())
                .build())
            .build();
    }
}
