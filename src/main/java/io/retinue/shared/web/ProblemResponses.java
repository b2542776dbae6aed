package io.retinue.shared.web;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.springdoc.core.customizers.OpenApiCustomizer;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;

/**
 * The answers an operation gives besides its own, derived from what the operation is — whether it needs credentials,
 * takes a body, names things in its path, reads If-Match or If-None-Match, answers in more than JSON — so that each
 * operation lists the errors it can really give instead of one blanket set. What cannot be derived (409, 502, 504, a
 * 404 of a referenced thing) is annotated on the operation; every error, derived or annotated, is problem+json.
 */
final class ProblemResponses implements OpenApiCustomizer {

    private static final String RETRY_AFTER = "Retry-After";
    private static final String RATE_LIMIT = "RateLimit";
    private static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

    @Override
    public void customise(OpenAPI openApi) {
        // Added here, after springdoc has dropped the schemas no operation named (this one too, when it came earlier).
        openApi.getComponents()
            .addSchemas("Problem", problemSchema())
            .addHeaders(RETRY_AFTER, new Header().description("Seconds to wait before trying again")
                .schema(new IntegerSchema().example(7)))
            .addHeaders(RATE_LIMIT, new Header()
                .description("What is left of the tightest limit: its name, remaining requests and seconds to refill")
                .schema(new StringSchema().example("\"principal-read\";r=0;t=7")))
            .addHeaders(RATE_LIMIT_POLICY, new Header().description("The limits in force for this request")
                .schema(new StringSchema().example("\"principal-read\";q=1200;w=60, \"tenant-read\";q=6000;w=60")));
        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(ProblemResponses::complete));
    }

    private static void complete(Operation operation) {
        ApiResponses responses = operation.getResponses();
        boolean secured = operation.getSecurity() == null || !operation.getSecurity().isEmpty();
        add(responses, "400", "Malformed request: a body that is not well-formed, an unknown field or an invalid "
                + "parameter (malformed-request, unknown-field, invalid-parameter)");
        if (secured) {
            add(responses, "401", "No credentials, or a key or token that is unknown, malformed, revoked or expired "
                    + "(unauthenticated)");
            add(responses, "403", "The credentials lack the scope this operation needs (forbidden)");
        }
        if (hasParameter(operation, "path", null)) {
            add(responses, "404", "Nothing of that name or id in the caller's tenant (not-found)");
        }
        if (hasParameter(operation, "header", "If-None-Match")) {
            responses.computeIfAbsent("304", status -> new ApiResponse()
                .description("Not modified: If-None-Match carries the current ETag"));
        }
        if (hasParameter(operation, "header", "If-Match")) {
            add(responses, "412", "If-Match does not match the current ETag (precondition-failed)");
        }
        if (operation.getRequestBody() != null) {
            add(responses, "413", "The request body is over the size limit (payload-too-large)");
            add(responses, "415", "The body is in a media type this operation does not take (unsupported-media-type)");
            add(responses, "422", "The body breaks the schema or a rule: every violation, with a JSON pointer to it "
                    + "(validation-failed)");
        }
        if (negotiates(responses)) {
            add(responses, "406", "The Accept header names no media type this operation answers in (not-acceptable)");
        }
        add(responses, "429", "A rate limit is reached (rate-limited): wait for Retry-After");
        add(responses, "500", "Unexpected error, logged with the requestId (internal-error)");
        add(responses, "503", "Retry after Retry-After: the database or the rate limiter cannot be reached "
                + "(database-unavailable, gateway/rate-limiter-unavailable), or an upstream this operation calls is "
                + "refusing calls (outbound/circuit-open, outbound/saturated)");
        responses.forEach((status, response) -> decorate(Integer.parseInt(status), response));
        sort(responses);
    }

    private static void add(ApiResponses responses, String status, String description) {
        responses.computeIfAbsent(status, code -> new ApiResponse().description(description));
    }

    /** Errors are problem+json whatever the operation's own media type; some carry headers telling when to retry. */
    private static void decorate(int status, ApiResponse response) {
        if (status >= 400) {
            response.setContent(new Content().addMediaType("application/problem+json",
                    new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
        }
        switch (status) {
            case 201, 202 -> header(response, "Location", new Header()
                .description(status == 201 ? "The created resource" : "The resource to poll")
                .schema(new StringSchema().format("uri-reference")));
            case 429 -> {
                header(response, RETRY_AFTER, ref(RETRY_AFTER));
                header(response, RATE_LIMIT, ref(RATE_LIMIT));
                header(response, RATE_LIMIT_POLICY, ref(RATE_LIMIT_POLICY));
            }
            case 502, 503 -> header(response, RETRY_AFTER, ref(RETRY_AFTER));
            default -> {
            }
        }
    }

    private static void header(ApiResponse response, String name, Header header) {
        if (response.getHeaders() == null || !response.getHeaders().containsKey(name)) {
            response.addHeaderObject(name, header);
        }
    }

    private static Header ref(String name) {
        return new Header().$ref("#/components/headers/" + name);
    }

    private static boolean hasParameter(Operation operation, String in, String name) {
        List<Parameter> parameters = operation.getParameters();
        return parameters != null && parameters.stream()
            .anyMatch(parameter -> in.equals(parameter.getIn())
                    && (name == null || name.equalsIgnoreCase(parameter.getName())));
    }

    /** Whether the operation answers in something besides JSON, so that an Accept header can ask for what it lacks. */
    private static boolean negotiates(ApiResponses responses) {
        return responses.entrySet()
            .stream()
            .filter(response -> response.getKey().startsWith("2"))
            .map(response -> response.getValue().getContent())
            .filter(Objects::nonNull)
            .flatMap(content -> content.keySet().stream())
            .anyMatch(type -> !type.equals("application/json"));
    }

    private static void sort(ApiResponses responses) {
        Map<String, ApiResponse> sorted = new TreeMap<>(responses);
        responses.clear();
        responses.putAll(sorted);
    }

    /** Typed schema classes: in a 3.1 document a bare {@code Schema.type(…)} is dropped, leaving untyped fields. */
    private static Schema<?> problemSchema() {
        Schema<?> violation = new ObjectSchema()
            .addProperty("pointer", new StringSchema().example("/config/model/parameters/temperature"))
            .addProperty("detail", new StringSchema().example("must have a maximum value of 2"));
        return new ObjectSchema().description("RFC 9457 problem details")
            .addProperty("type", new StringSchema().format("uri")
                .example("https://retinue.dev/problems/validation-failed"))
            .addProperty("title", new StringSchema().example("Validation failed"))
            .addProperty("status", new IntegerSchema().example(422))
            .addProperty("detail", new StringSchema().example("2 problems were found in the request"))
            .addProperty("instance", new StringSchema().format("uri"))
            .addProperty("requestId", new StringSchema().description("Correlation id, also in the logs"))
            .addProperty("errors", new ArraySchema().items(violation)
                .description("Every violation, with a JSON pointer to where it is"));
    }
}
