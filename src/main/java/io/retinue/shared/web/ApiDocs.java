package io.retinue.shared.web;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import io.retinue.shared.topology.Topology;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI 3.1 document: API-key security on every operation that does not say otherwise, and the problem+json
 * answers each operation can give ({@link ProblemResponses}); where modules run in services of their own, the document
 * of the whole API ({@link WholeApiDocument}).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocs {

    private static final String API_KEY = "apiKey";

    static {
        // Free-form JSON (metadata, response schemas, diff values) is documented as what it is, not as Jackson's API.
        SpringDocUtils.getConfig()
            .replaceWithSchema(JsonNode.class, new Schema<>().description("Any JSON value"))
            // An event stream is text, not a schema named after Spring's type for writing it.
            .replaceWithSchema(StreamingResponseBody.class, new StringSchema().description("Server-sent events"));
    }

    @Bean
    OpenAPI retinueOpenApi(@Value("${retinue.version:0.1.0}") String version) {
        return new OpenAPI()
            .info(new Info().title("Retinue API")
                .version(version)
                .description("Enterprise platform for AI agents. Every operation except health, these docs, login, "
                        + "refresh, logout and the JWK set needs credentials: an API key as 'Authorization: Bearer "
                        + "rtn_…' or 'X-API-Key: rtn_…', or an access token as 'Authorization: Bearer …'. Every "
                        + "operation is rate-limited. Errors are RFC 9457 problem+json with a stable type URI.")
                .license(new License().name("Apache License 2.0").identifier("Apache-2.0")))
            .components(new Components()
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

    @Bean
    OpenApiCustomizer wholeApiDocument(Topology topology) {
        return new WholeApiDocument(topology);
    }
}
