package io.retinue.shared.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.io.ClassPathResource;

import io.retinue.shared.topology.Topology;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;

/**
 * The document of the whole API where the gateway runs without some of the modules it routes to: springdoc sees
 * only the operations of this process, so the document of the same build, written by the monolith and shipped in
 * the jar ({@value #LOCATION}, kept equal to what the monolith serves by its test), takes its place — all but the
 * servers, which stay where the client fetched it from. In the monolith springdoc sees every operation itself.
 */
final class WholeApiDocument implements OpenApiCustomizer, Ordered {

    static final String LOCATION = "openapi/retinue-api.json";

    private final Topology topology;

    WholeApiDocument(Topology topology) {
        this.topology = topology;
    }

    @Override
    public void customise(OpenAPI served) {
        if (topology.isMonolith()) {
            return;
        }
        OpenAPI whole = bundled();
        served.openapi(whole.getOpenapi());
        served.info(whole.getInfo());
        served.tags(whole.getTags());
        served.paths(whole.getPaths());
        served.components(whole.getComponents());
        served.security(whole.getSecurity());
        served.webhooks(whole.getWebhooks());
        served.externalDocs(whole.getExternalDocs());
        served.extensions(whole.getExtensions());
    }

    private static OpenAPI bundled() {
        try (InputStream in = new ClassPathResource(LOCATION).getInputStream()) {
            return Json31.mapper().readValue(in, OpenAPI.class);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("the API document " + LOCATION + " is missing from the build", ex);
        }
    }

    // After every other customizer, which would otherwise add to the document of this process's operations.
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
