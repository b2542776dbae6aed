package io.retinue.tools.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.networknt.schema.Schema;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.JsonSchemas;
import io.retinue.shared.Violation;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolChanged;
import tools.jackson.databind.JsonNode;

/**
 * Registers tools and changes them: every change is a new version, the enabled flag belongs to the tool, and
 * builtins are read-only. A definition is checked whole before anything is stored: name, schema (itself a valid JSON
 * Schema of an object), limits and the kind's spec.
 */
@Service
public class ToolAdmin {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)+");

    /** A namespaced tool name: {@code namespace.tool}, lower case, at most 200 characters. */
    public static boolean isToolName(String name) {
        return name != null && name.length() <= 200 && NAME.matcher(name).matches();
    }
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** A tool definition as submitted. */
    @io.swagger.v3.oas.annotations.media.Schema(description = "A tool definition as registered or revised: its "
            + "name, kind, input schema and, for kind http, its request template")
    public record Definition(String name, String description, String kind, JsonNode inputSchema,
            JsonNode outputSchema, Set<String> tags, Boolean idempotent, Integer timeoutMs, Integer maxOutputBytes,
            Integer maxConcurrency, JsonNode http) {
    }

    private final ToolRegistry registry;
    private final ExecutionLedger ledger;
    private final AgentToolReferences references;
    private final ApplicationEventPublisher events;
    private final Schema metaSchema = JsonSchemas.metaSchema(JsonSchemas.registry());

    ToolAdmin(ToolRegistry registry, ExecutionLedger ledger, AgentToolReferences references,
            ApplicationEventPublisher events) {
        this.registry = registry;
        this.ledger = ledger;
        this.references = references;
        this.events = events;
    }

    @Transactional
    public Tool register(Caller caller, Definition definition) {
        Tool tool = build(caller, definition, 1, true);
        if (registry.current(caller.tenant(), tool.name()).isPresent()) {
            throw new DomainProblem(ToolProblems.NAME_TAKEN, "A tool named '" + tool.name() + "' exists; PUT a new version",
                    List.of(new Violation("/name", "is already in use")), Map.of());
        }
        try {
            registry.insert(tool);
        }
        catch (DuplicateKeyException race) {
            throw new DomainProblem(ToolProblems.NAME_TAKEN, "A tool named '" + tool.name() + "' exists");
        }
        changed(tool, ToolChanged.Change.REGISTERED);
        return tool;
    }

    @Transactional
    public Tool revise(Caller caller, String name, Definition definition) {
        Tool current = ownDefinition(caller, name);
        Definition named = new Definition(name, definition.description(), definition.kind(), definition.inputSchema(),
                definition.outputSchema(), definition.tags(), definition.idempotent(), definition.timeoutMs(),
                definition.maxOutputBytes(), definition.maxConcurrency(), definition.http());
        Tool next = build(caller, named, current.version() + 1, current.enabled());
        registry.insert(next);
        changed(next, ToolChanged.Change.REVISED);
        return next;
    }

    @Transactional
    public Tool setEnabled(Caller caller, String name, boolean enabled) {
        Tool current = own(caller, name);
        registry.setEnabled(caller.tenant(), name, enabled);
        changed(current, enabled ? ToolChanged.Change.ENABLED : ToolChanged.Change.DISABLED);
        return current.enabled(enabled);
    }

    /** Deletes a tool, unless the live version of some agent still names it (409, listing those agents). */
    @Transactional
    public void delete(Caller caller, String name) {
        Tool tool = ownDefinition(caller, name);
        List<String> users = references.agentsUsing(caller.tenant(), name);
        if (!users.isEmpty()) {
            throw new DomainProblem(ToolProblems.IN_USE, "Tool '" + name + "' is used by the live version of "
                    + users.size() + " agent(s); change those agents first", List.of(), Map.of("agents", users));
        }
        registry.delete(caller.tenant(), name);
        changed(tool, ToolChanged.Change.DELETED);
    }

    private void changed(Tool tool, ToolChanged.Change change) {
        events.publishEvent(new ToolChanged(tool.tenant(), tool.name(), tool.version(), change, ledger.now()));
    }

    private Tool own(Caller caller, String name) {
        Tool tool = registry.current(caller.tenant(), name)
            .orElseThrow(() -> DomainProblem.notFound("Tool '" + name + "'"));
        if (tool.kind() == ToolKind.BUILTIN) {
            throw new DomainProblem(ToolProblems.BUILTIN_READ_ONLY, "Builtin tools cannot be changed or deleted");
        }
        return tool;
    }

    /** MCP tools follow their server: enable or disable them, but change or delete them through the server. */
    private Tool ownDefinition(Caller caller, String name) {
        Tool tool = own(caller, name);
        if (tool.kind() == ToolKind.MCP) {
            throw new DomainProblem(ToolProblems.BUILTIN_READ_ONLY, "Tool '" + name
                    + "' comes from an MCP server; sync or delete the server instead");
        }
        return tool;
    }

    private Tool build(Caller caller, Definition definition, int version, boolean enabled) {
        List<Violation> violations = new ArrayList<>();
        if (!isToolName(definition.name())) {
            violations.add(new Violation("/name", "must be a namespaced name such as crm.lookup_customer"));
        }
        else if (definition.name().startsWith("builtin.")) {
            violations.add(new Violation("/name", "the builtin namespace is reserved"));
        }
        if (definition.description() == null || definition.description().isBlank()
                || definition.description().length() > 2000) {
            violations.add(new Violation("/description", "must be 1 to 2000 characters"));
        }
        if (!"http".equals(definition.kind())) {
            violations.add(new Violation("/kind", "must be http (openapi and mcp tools are registered through their own endpoints)"));
        }
        checkSchema(definition.inputSchema(), "/inputSchema", true, violations);
        if (definition.outputSchema() != null) {
            checkSchema(definition.outputSchema(), "/outputSchema", false, violations);
        }
        int timeout = definition.timeoutMs() == null ? 30_000 : definition.timeoutMs();
        long maxTimeout = ToolCalls.MAX_TOOL_TIMEOUT.toMillis();
        if (timeout < 100 || timeout > maxTimeout) {
            violations.add(new Violation("/timeoutMs", "must be between 100 and " + maxTimeout));
        }
        int maxOutput = definition.maxOutputBytes() == null ? 262_144 : definition.maxOutputBytes();
        if (maxOutput < 1 || maxOutput > 10_485_760) {
            violations.add(new Violation("/maxOutputBytes", "must be between 1 and 10485760"));
        }
        int maxConcurrency = definition.maxConcurrency() == null ? 16 : definition.maxConcurrency();
        if (maxConcurrency < 1 || maxConcurrency > 1024) {
            violations.add(new Violation("/maxConcurrency", "must be between 1 and 1024"));
        }
        Set<String> tags = definition.tags() == null ? Set.of() : definition.tags();
        if (tags.size() > 32 || tags.stream().anyMatch(tag -> !tag.matches("[a-z0-9][a-z0-9_-]{0,62}"))) {
            violations.add(new Violation("/tags", "at most 32 tags of lower-case letters, digits, _ and -"));
        }
        checkHttp(definition.http(), violations);
        if (!violations.isEmpty()) {
            throw DomainProblem.invalid(violations);
        }
        return new Tool(UUID.randomUUID(), caller.tenant(), definition.name(), version, definition.description(),
                ToolKind.HTTP, definition.inputSchema(), definition.outputSchema(), tags, enabled,
                Boolean.TRUE.equals(definition.idempotent()), timeout, maxOutput, maxConcurrency, definition.http(),
                ledger.now());
    }

    private void checkSchema(JsonNode schema, String pointer, boolean mustBeObject, List<Violation> violations) {
        if (schema == null || !schema.isObject()) {
            violations.add(new Violation(pointer, "must be a JSON Schema object"));
            return;
        }
        JsonSchemas.violations(metaSchema, schema, pointer)
            .forEach(violation -> violations.add(new Violation(violation.pointer(),
                    "is not a valid JSON Schema: " + violation.detail())));
        if (mustBeObject && !"object".equals(schema.path("type").asString(""))) {
            violations.add(new Violation(pointer + "/type", "tool arguments must be an object (\"type\": \"object\")"));
        }
    }

    private static void checkHttp(JsonNode http, List<Violation> violations) {
        if (http == null || !http.isObject()) {
            violations.add(new Violation("/http", "an http tool needs a request template {method, url, headers, body}"));
            return;
        }
        String method = http.path("method").asString("GET");
        if (!METHODS.contains(method)) {
            violations.add(new Violation("/http/method", "must be one of " + METHODS));
        }
        String url = http.path("url").asString("");
        try {
            URI uri = URI.create(url.replaceAll("\\{[A-Za-z_][A-Za-z0-9_]*}", "x"));
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                violations.add(new Violation("/http/url", "must be an absolute http(s) URL"));
            }
        }
        catch (IllegalArgumentException ex) {
            violations.add(new Violation("/http/url", "must be an absolute http(s) URL"));
        }
        JsonNode headers = http.path("headers");
        if (!headers.isMissingNode() && !headers.isObject()) {
            violations.add(new Violation("/http/headers", "must be an object of header templates"));
        }
        else {
            headers.properties().forEach(header -> {
                if (!header.getValue().isString()) {
                    violations.add(new Violation("/http/headers/" + header.getKey(), "must be a string"));
                }
                else if (header.getKey().equalsIgnoreCase("authorization")
                        && !header.getValue().asString().matches(".*\\{\\{(secret|basic|oauth):.*")) {
                    violations.add(new Violation("/http/headers/" + header.getKey(), "reference a credential "
                            + "({{secret:name}}, {{basic:name}} or {{oauth:name}}) instead of inlining a secret"));
                }
            });
        }
        JsonNode body = http.path("body");
        if (!body.isMissingNode() && !body.isNull() && !"arguments".equals(body.asString(""))
                && !body.asString("").matches("argument:[A-Za-z_][A-Za-z0-9_]*")) {
            violations.add(new Violation("/http/body",
                    "must be \"arguments\" (all arguments as JSON), \"argument:<name>\" (one of them) or absent"));
        }
        JsonNode query = http.path("query");
        if (!query.isMissingNode() && (!query.isObject() || query.valueStream().anyMatch(value -> !value.isString()))) {
            violations.add(new Violation("/http/query", "must be an object of query parameter templates"));
        }
        http.propertyNames().stream()
            .filter(field -> !Set.of("method", "url", "headers", "query", "body").contains(field))
            .forEach(field -> violations.add(new Violation("/http/" + field, "is not a known field")));
    }
}
