package io.retinue.shared.web;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI 3.1 document: API-key security on every operation that does not say otherwise, and the problem+json
 * answers each operation can give ({@link ProblemResponses}).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocs {

    private static final String API_KEY = "apiKey";
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
        return new ProblemResponses();
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
