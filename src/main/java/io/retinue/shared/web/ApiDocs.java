package io.retinue.shared.web;

import java.util.Map;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI 3.1 document: API-key security on every operation, and the problem+json answers every operation can
 * give, described once here instead of on each endpoint.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocs {

    private static final String API_KEY = "apiKey";
    private static final Map<String, String> PROBLEMS = Map.of(
            "400", "Malformed request, unknown field or invalid parameter",
            "401", "Missing or invalid API key",
            "403", "The API key lacks the needed scope",
            "404", "Not found",
            "409", "Conflict with the resource's current state",
            "412", "If-Match does not match the current ETag",
            "413", "Request body too large",
            "415", "Unsupported content type",
            "422", "Validation failed: every violation with a JSON pointer",
            "500", "Unexpected error (quote requestId)");

    static {
        // Free-form JSON (metadata, response schemas, diff values) is documented as what it is, not as Jackson's API.
        SpringDocUtils.getConfig()
            .replaceWithSchema(JsonNode.class, new Schema<>().description("Any JSON value"));
    }

    @Bean
    OpenAPI retinueOpenApi(@Value("${retinue.version:0.1.0}") String version) {
        return new OpenAPI()
            .info(new Info().title("Retinue API")
                .version(version)
                .description("Enterprise platform for AI agents. Every endpoint except health and these docs needs "
                        + "an API key: 'Authorization: Bearer rtn_…' or 'X-API-Key: rtn_…'. Errors are RFC 9457 "
                        + "problem+json with a stable type URI.")
                .license(new License().name("Apache-2.0")))
            .components(new Components()
                .addSchemas("Problem", problemSchema())
                .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer")
                    .bearerFormat("rtn_<id>_<secret>")
                    .description("A Retinue API key")))
            .addSecurityItem(new SecurityRequirement().addList(API_KEY));
    }

    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> openApi.getPaths()
            .values()
            .forEach(path -> path.readOperations().forEach(operation -> PROBLEMS.forEach((status, description) -> {
                if (!operation.getResponses().containsKey(status)) {
                    operation.getResponses()
                        .addApiResponse(status, new ApiResponse().description(description)
                            .content(new Content().addMediaType("application/problem+json",
                                    new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
                }
            })));
    }

    @SuppressWarnings({ "rawtypes", "unchecked" })
    private static Schema<?> problemSchema() {
        Schema violation = new Schema<>().type("object")
            .addProperty("pointer", new Schema<>().type("string").example("/config/model/parameters/temperature"))
            .addProperty("detail", new Schema<>().type("string").example("must have a maximum value of 2"));
        return new Schema<>().type("object")
            .description("RFC 9457 problem details")
            .addProperty("type", new Schema<>().type("string").format("uri")
                .example("https://retinue.dev/problems/validation-failed"))
            .addProperty("title", new Schema<>().type("string").example("Validation failed"))
            .addProperty("status", new Schema<>().type("integer").example(422))
            .addProperty("detail", new Schema<>().type("string").example("2 problems were found in the request"))
            .addProperty("instance", new Schema<>().type("string").format("uri"))
            .addProperty("requestId", new Schema<>().type("string").description("Correlation id, also in the logs"))
            .addProperty("errors", new Schema<>().type("array").items(violation));
    }
}
