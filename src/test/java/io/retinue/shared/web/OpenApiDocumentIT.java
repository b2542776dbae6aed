package io.retinue.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.ApiContract;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document the client in the build is generated from ({@code src/main/resources/openapi/retinue-api.json}) is the one
 * the application serves: a change to the API that is not exported fails here, with the command that exports it.
 */
class OpenApiDocumentIT extends PlatformIT {

    static final Path EXPORTED = Path.of("src/main/resources/openapi/retinue-api.json");

    @Test
    void exportedDocumentIsTheServedOne() throws IOException {
        ObjectNode served = (ObjectNode) api.call("GET", "/v3/api-docs").anonymous().send().json();
        // The server is where the document was fetched from (a random port here), and the test fixtures' endpoints
        // are served in tests only.
        served.remove("servers");
        ((ObjectNode) served.get("paths")).propertyNames()
            .stream()
            .filter(path -> path.startsWith(ApiContract.TEST_PATHS))
            .toList()
            .forEach(((ObjectNode) served.get("paths"))::remove);
        String text = Api.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(served) + "\n";
        if (Boolean.getBoolean("retinue.openapi.export")) {
            Files.writeString(EXPORTED, text);
        }
        JsonNode exported = Files.exists(EXPORTED) ? Api.JSON.readTree(Files.readString(EXPORTED)) : null;
        assertThat(exported)
            .as("%s differs from /v3/api-docs; export it with%n  ./mvnw test -Dtest=OpenApiDocumentIT "
                    + "-Dretinue.openapi.export=true%nand commit it with the change", EXPORTED)
            .isEqualTo(served);
    }
}
