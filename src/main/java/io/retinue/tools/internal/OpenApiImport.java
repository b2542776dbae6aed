package io.retinue.tools.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.AddressGuard;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Turns the operations of an OpenAPI 3 document (uploaded, or fetched through the SSRF guard) into {@code http}
 * tools named {@code <namespace>.<operationId>}: path and query parameters and a JSON request body ({@code body})
 * become the input schema, with every {@code $ref} resolved. Importing again gives changed operations a new version
 * and leaves unchanged ones alone.
 */
@Service
public class OpenApiImport {

    /**
     * What to import. {@code credential} names the credential that fills what the document's security schemes ask
     * for, on the operations that require it; {@code headers}, when given, go on every operation and win over it.
     */
    @Schema(description = "What to import. credential names the credential that fills what the document's security "
            + "schemes ask for, on the operations that require it; headers, when given, go on every operation and "
            + "win over it")
    public record Request(String namespace, String document, String url, List<String> operations, String serverUrl,
            Map<String, String> headers, Set<String> tags, String credential) {
    }

    /** What an import did, by tool name. */
    @Schema(description = "What an import did: the tools created, updated and left unchanged, and warnings")
    public record Result(List<String> created, List<String> updated, List<String> unchanged, List<String> warnings) {
    }

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final ToolAdmin admin;
    private final ToolRegistry registry;
    private final GuardedHttp http;
    private final JsonMapper json;

    OpenApiImport(ToolAdmin admin, ToolRegistry registry, GuardedHttp http, JsonMapper json) {
        this.admin = admin;
        this.registry = registry;
        this.http = http;
        this.json = json;
    }

    @Transactional
    public Result importDocument(Caller caller, Request request) {
        if (request.namespace() == null || !request.namespace().matches("[a-z0-9][a-z0-9_-]{0,62}")
                || request.namespace().equals("builtin")) {
            throw DomainProblem.invalid(List.of(new Violation("/namespace", "must be a lower-case namespace such as petstore")));
        }
        if (request.credential() != null && !request.credential().matches("[A-Za-z0-9_-]{1,100}")) {
            throw DomainProblem.invalid(List.of(new Violation("/credential", "must name a credential, such as petstore-key")));
        }
        OpenAPI api = parse(document(request));
        String server = request.serverUrl() != null ? request.serverUrl()
                : api.getServers() == null || api.getServers().isEmpty() ? null : api.getServers().getFirst().getUrl();
        if (server == null || !server.startsWith("http")) {
            throw DomainProblem.invalid(List.of(new Violation("/serverUrl",
                    "the document names no absolute server URL; give serverUrl")));
        }
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> wanted = request.operations() == null ? null : Set.copyOf(request.operations());
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String operationId = operation.getOperationId() != null ? operation.getOperationId()
                    : method.name().toLowerCase(Locale.ROOT) + path;
            if (wanted != null && !wanted.contains(operationId)) {
                return;
            }
            if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null
                    && !operation.getRequestBody().getContent().containsKey("application/json")) {
                warnings.add(operationId + ": only application/json request bodies are supported; skipped");
                return;
            }
            SecurityNeeds needs = SecurityNeeds.of(api, operation, request.credential());
            warnings.addAll(needs.warnings(operationId, request.headers() == null ? Set.of() : request.headers().keySet()));
            ToolAdmin.Definition definition = definition(request, server, path, item, method.name(), operation,
                    operationId, needs);
            Optional<Tool> current = registry.current(caller.tenant(), definition.name());
            if (current.isEmpty()) {
                admin.register(caller, definition);
                created.add(definition.name());
            }
            else if (current.get().inputSchema().equals(definition.inputSchema())
                    && current.get().spec().equals(definition.http())
                    && current.get().description().equals(definition.description())) {
                unchanged.add(definition.name());
            }
            else {
                admin.revise(caller, definition.name(), definition);
                updated.add(definition.name());
            }
        }));
        return new Result(created, updated, unchanged, warnings);
    }

    private String document(Request request) {
        if (request.document() != null && !request.document().isBlank()) {
            return request.document();
        }
        if (request.url() == null) {
            throw DomainProblem.invalid(List.of(new Violation("/document", "give the document or its url")));
        }
        try {
            GuardedHttp.Answer answer = http.send("GET", URI.create(request.url()),
                    Map.of("Accept", "application/json, application/yaml"), null, 4 * 1024 * 1024);
            if (answer.status() >= 400 || answer.truncated()) {
                throw DomainProblem.invalid(List.of(new Violation("/url", "answered HTTP " + answer.status()
                        + (answer.truncated() ? " with more than 4 MB" : ""))));
            }
            return answer.body();
        }
        catch (AddressGuard.Refused refused) {
            throw DomainProblem.invalid(List.of(new Violation("/url", "is refused: " + refused.getMessage())));
        }
        catch (java.io.UncheckedIOException | IllegalArgumentException unreachable) {
            throw DomainProblem.invalid(List.of(new Violation("/url", "cannot be fetched: " + unreachable.getMessage())));
        }
    }

    private static OpenAPI parse(String document) {
        checkShape(document);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
        if (result.getOpenAPI() == null || result.getOpenAPI().getPaths() == null) {
            // The parser's messages may quote its own internals (Java class names); those say nothing to the user.
            String messages = result.getMessages() == null ? "" : result.getMessages().stream()
                .filter(message -> !message.contains("java."))
                .collect(java.util.stream.Collectors.joining("; "));
            throw DomainProblem.invalid(List.of(new Violation("/document", "is not an OpenAPI 3 document: " + messages)));
        }
        return result.getOpenAPI();
    }

    /**
     * Says in the user's terms what is wrong with a document that is not even an OpenAPI object, before the parser
     * (which reports such documents in terms of its own Java types, and logs a stack trace for them) sees it.
     */
    private static void checkShape(String document) {
        JsonNode tree;
        try {
            tree = YAML.readTree(document);
        }
        catch (tools.jackson.core.JacksonException ex) {
            String where = ex.getLocation() == null ? ""
                    : " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")";
            throw DomainProblem.invalid(List.of(new Violation("/document", "is neither valid JSON nor YAML" + where)));
        }
        if (tree == null || !tree.isObject()) {
            throw DomainProblem.invalid(List.of(new Violation("/document",
                    "must be a JSON or YAML object with 'openapi', 'info' and 'paths'")));
        }
        if (!tree.path("openapi").isString() || !tree.path("openapi").asString().startsWith("3.")) {
            throw DomainProblem.invalid(List.of(new Violation("/document/openapi",
                    "must name OpenAPI version 3.x (Swagger 2 documents are not imported)")));
        }
        if (!tree.path("paths").isObject()) {
            throw DomainProblem.invalid(List.of(new Violation("/document/paths", "must be an object of paths")));
        }
    }

    private ToolAdmin.Definition definition(Request request, String server, String path, PathItem item, String method,
            Operation operation, String operationId, SecurityNeeds needs) {
        ObjectNode properties = json.createObjectNode();
        List<String> required = new ArrayList<>();
        Map<String, String> query = new LinkedHashMap<>();
        String url = server.replaceAll("/+$", "") + path;
        List<Parameter> parameters = new ArrayList<>();
        if (item.getParameters() != null) {
            parameters.addAll(item.getParameters());
        }
        if (operation.getParameters() != null) {
            parameters.addAll(operation.getParameters());
        }
        for (Parameter parameter : parameters) {
            String name = identifier(parameter.getName());
            ObjectNode schema = parameter.getSchema() == null ? json.createObjectNode() : (ObjectNode) tree(parameter.getSchema());
            if (parameter.getDescription() != null) {
                schema.put("description", parameter.getDescription());
            }
            if ("path".equals(parameter.getIn())) {
                url = url.replace("{" + parameter.getName() + "}", "{" + name + "}");
                required.add(name);
            }
            else if ("query".equals(parameter.getIn())) {
                query.put(parameter.getName(), "{" + name + "}");
                if (Boolean.TRUE.equals(parameter.getRequired())) {
                    required.add(name);
                }
            }
            else {
                continue;
            }
            properties.set(name, schema);
        }
        String body = null;
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            MediaType media = operation.getRequestBody().getContent().get("application/json");
            properties.set("body", media == null || media.getSchema() == null ? json.createObjectNode() : tree(media.getSchema()));
            body = "argument:body";
            if (Boolean.TRUE.equals(operation.getRequestBody().getRequired())) {
                required.add("body");
            }
        }
        ObjectNode schema = json.createObjectNode().put("type", "object");
        schema.set("properties", properties);
        if (!required.isEmpty()) {
            schema.set("required", json.valueToTree(required));
        }
        query.putAll(needs.query());
        Map<String, String> headers = new LinkedHashMap<>(needs.headers());
        if (request.headers() != null) {
            // Headers given with the import win: they may fill the scheme another way.
            headers.keySet().removeIf(name -> request.headers().keySet().stream().anyMatch(name::equalsIgnoreCase));
            headers.putAll(request.headers());
        }
        ObjectNode spec = json.createObjectNode().put("method", method).put("url", url);
        if (!query.isEmpty()) {
            spec.set("query", json.valueToTree(query));
        }
        if (!headers.isEmpty()) {
            spec.set("headers", json.valueToTree(headers));
        }
        if (body != null) {
            spec.put("body", body);
        }
        String description = firstNonBlank(operation.getSummary(), operation.getDescription(), method + " " + path);
        return new ToolAdmin.Definition(request.namespace() + "." + identifier(operationId).toLowerCase(Locale.ROOT),
                description.length() > 2000 ? description.substring(0, 2000) : description, "http", schema, null,
                request.tags(), "GET".equals(method), null, null, null, spec);
    }

    private JsonNode tree(Object swaggerModel) {
        try {
            return json.readTree(Json.mapper().writeValueAsString(swaggerModel));
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("cannot read an OpenAPI schema", ex);
        }
    }

    private static String identifier(String text) {
        String cleaned = text.replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        return cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0)) ? "op_" + cleaned : cleaned;
    }

    private static String firstNonBlank(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.trim();
            }
        }
        return "";
    }
}
