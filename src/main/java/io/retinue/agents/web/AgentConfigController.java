package io.retinue.agents.web;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.internal.ConfigValidator;
import io.retinue.shared.Caller;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;

/** The agent configuration's published JSON Schema and a dry-run validator. */
@RestController
@RequestMapping("/api/v1/agent-configs")
@Tag(name = "Agent configuration", description = "Schema and dry-run validation of agent configurations")
class AgentConfigController {

    private final ConfigValidator validator;
    private final ToolWarnings toolWarnings;

    AgentConfigController(ConfigValidator validator, ToolWarnings toolWarnings) {
        this.validator = validator;
        this.toolWarnings = toolWarnings;
    }

    @GetMapping(path = "/schema", produces = { "application/schema+json", MediaType.APPLICATION_JSON_VALUE })
    @Operation(operationId = "getAgentConfigSchema", summary = "The JSON Schema (draft 2020-12) of an agent configuration",
            description = "What a version's config must be; the same schema validates every write.")
    ResponseEntity<JsonNode> schema() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/schema+json")).body(validator.configSchema());
    }

    @PostMapping(path = "/validate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "validateAgentConfig", summary = "Validate a configuration without storing anything",
            description = "Returns every problem at once: schema violations and semantic ones (unknown provider, "
                    + "undeclared or unused template variables, duplicate tools, invalid response schema, token limits).")
    ValidationReport validate(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = AgentConfig.class),
            examples = @ExampleObject(value = Examples.CONFIG))) @RequestBody JsonNode config) {
        List<Violation> errors = validator.validateConfig(caller.tenant(), config);
        return new ValidationReport(errors.isEmpty(), errors,
                errors.isEmpty() ? toolWarnings.of(caller, null, config, "/tools") : List.of());
    }

    /** The verdict of a dry-run validation. */
    @Schema(description = "Whether a configuration is valid, with every problem found, and what would not stop it but "
            + "should be known: named tools that do not exist or are disabled (grants are checked where the agent is known: on "
            + "import and publish)")
    record ValidationReport(boolean valid, List<Violation> errors, List<Violation> warnings) {
    }
}
