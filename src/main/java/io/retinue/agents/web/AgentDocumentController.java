package io.retinue.agents.web;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.internal.AgentAccess;
import io.retinue.agents.internal.AgentDocument;
import io.retinue.agents.internal.AgentDocuments;
import io.retinue.agents.internal.ConfigValidator.Shape;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Agents as code: export an agent as YAML or JSON, import such a document idempotently. */
@RestController
@Tag(name = "Agents as code", description = "Export and import agents as YAML or JSON documents")
class AgentDocumentController {

    static final String YAML = "application/yaml";

    private final AgentDocuments documents;
    private final RequestBodies bodies;
    private final JsonMapper json;
    private final YAMLMapper yaml;
    private final AgentCatalog catalog;
    private final ToolWarnings toolWarnings;

    AgentDocumentController(AgentDocuments documents, RequestBodies bodies, JsonMapper json, AgentCatalog catalog,
            ToolWarnings toolWarnings) {
        this.documents = documents;
        this.catalog = catalog;
        this.toolWarnings = toolWarnings;
        this.bodies = bodies;
        this.json = json;
        this.yaml = YAMLMapper.builder().enable(YAMLWriteFeature.MINIMIZE_QUOTES).build();
    }

    @GetMapping(path = "/api/v1/agents/{agent}/export", produces = { YAML, MediaType.APPLICATION_JSON_VALUE })
    @Operation(operationId = "exportAgent", summary = "Export an agent as a document",
            description = "All versions, or only the live one with versions=live. YAML unless format=json.")
    ResponseEntity<String> export(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable String agent,
            @RequestParam(defaultValue = "all") @Parameter(schema = @Schema(allowableValues = { "all", "live" })) String versions,
            @RequestParam(defaultValue = "yaml") @Parameter(schema = @Schema(allowableValues = { "yaml", "json" })) String format) {
        if (!versions.equals("all") && !versions.equals("live")) {
            throw DomainProblem.invalidParameter("versions", "versions must be all or live");
        }
        if (!format.equals("yaml") && !format.equals("json")) {
            throw DomainProblem.invalidParameter("format", "format must be yaml or json");
        }
        AgentDocument document = documents.export(AgentAccess.of(caller), agent, versions.equals("live"));
        boolean asYaml = format.equals("yaml");
        String body = asYaml ? yaml.writeValueAsString(document)
                : json.writerWithDefaultPrettyPrinter().writeValueAsString(document);
        return ResponseEntity.ok()
            .contentType(asYaml ? MediaType.parseMediaType(YAML + ";charset=UTF-8") : MediaType.APPLICATION_JSON)
            .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.inline()
                .filename(document.metadata().slug() + (asYaml ? ".yaml" : ".json"), StandardCharsets.UTF_8)
                .build()
                .toString())
            .body(body);
    }

    @PostMapping(path = "/api/v1/agents/import", consumes = { YAML, "application/x-yaml", "text/yaml",
            MediaType.APPLICATION_JSON_VALUE }, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "importAgent", summary = "Import an agent document (YAML or JSON)",
            description = "Creates or updates the agent with the document's slug. Versions are matched by "
                    + "configuration: importing the same document twice changes nothing; new configurations are "
                    + "appended as new versions; the document's live version becomes live. 201 with the agent's "
                    + "Location when the import created it, 200 otherwise.")
    @ApiResponse(responseCode = "201", description = "The agent was created")
    @ApiResponse(responseCode = "200", description = "The agent existed: updated, or unchanged")
    @ApiResponse(responseCode = "409",
            description = "The document conflicts with the agent as it is (e.g. agents/agent-archived)")
    ResponseEntity<ImportView> importDocument(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(hidden = true) @RequestHeader(HttpHeaders.CONTENT_TYPE) String contentType,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                @Content(mediaType = YAML, schema = @Schema(type = "string"),
                        examples = @ExampleObject(value = Examples.DOCUMENT_YAML)),
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "object")) })
            @RequestBody String body) {
        JsonNode tree = parse(body, MediaType.parseMediaType(contentType).getSubtype().contains("yaml"));
        AgentDocument document = bodies.read(caller.tenant(), tree, Shape.DOCUMENT, AgentDocument.class);
        AgentDocuments.Imported imported = documents.importDocument(AgentAccess.of(caller), document);
        // The live version is what runs use: its tools that runs would not be offered are warned of.
        List<Violation> warnings = catalog.spec(caller.tenant(), imported.agent().slug(), null)
            .map(live -> toolWarnings.of(caller, live.slug(), live.config(), "/live/config/tools"))
            .orElse(List.of());
        ImportView view = new ImportView(AgentView.of(imported.agent()), imported.created(), imported.changed(),
                imported.addedVersions(), warnings);
        return imported.created()
                ? ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentContextPath()
                    .path("/api/v1/agents/{id}")
                    .buildAndExpand(view.agent().id())
                    .toUri()).body(view)
                : ResponseEntity.ok(view);
    }

    private JsonNode parse(String body, boolean isYaml) {
        try {
            JsonNode tree = isYaml ? yaml.readTree(body) : json.readTree(body);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new DomainProblem(ProblemType.MALFORMED_REQUEST, "The document is empty");
            }
            return tree;
        }
        catch (JacksonException ex) {
            String where = ex.getLocation() == null ? ""
                    : " at line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr();
            throw new DomainProblem(ProblemType.MALFORMED_REQUEST,
                    "The document is not well-formed " + (isYaml ? "YAML" : "JSON") + where);
        }
    }

    /** What an import did. */
    @Schema(description = "What an import did: the agent, whether it was created or changed, and the versions added "
            + "or revised")
    record ImportView(AgentView agent, boolean created, boolean changed,
            @Schema(description = "Version numbers added or revised in this installation") List<Integer> addedVersions,
            @Schema(description = "Named tools the live version's runs would not be offered (unknown, disabled or not "
                    + "granted); /live/config/tools/n points into the live version's configuration") List<Violation> warnings) {
    }
}
