package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;

/** Each role gets exactly what the permission matrix in docs/security.md says: no more, no less. */
class PermissionMatrixIT extends PlatformIT {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # role     | read agents | write agents | keys | audit | users | actuator | tenants
            owner      | 200         | 201          | 200  | 200   | 200   | 403      | 403
            admin      | 200         | 201          | 200  | 200   | 200   | 403      | 403
            developer  | 200         | 201          | 403  | 403   | 403   | 403      | 403
            operator   | 200         | 403          | 403  | 200   | 403   | 403      | 403
            viewer     | 200         | 403          | 403  | 403   | 403   | 403      | 403
            """)
    void eachRoleGetsWhatTheMatrixSays(String role, int readAgents, int writeAgents, int keys, int audit, int users,
            int actuator, int tenants) {
        Api as = api.as(api.post("/api/v1/api-keys", Map.of("name", role, "role", role)).json().get("secret").asString());

        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("GET /api/v1/agents", readAgents);
        expected.put("POST /api/v1/agents", writeAgents);
        expected.put("GET /api/v1/api-keys", keys);
        expected.put("GET /api/v1/audit-events", audit);
        expected.put("GET /api/v1/users", users);
        expected.put("GET /actuator/metrics", actuator);
        expected.put("GET /actuator/flyway", actuator);
        expected.put("POST /api/v1/tenants", tenants);

        Map<String, Integer> actual = new LinkedHashMap<>();
        actual.put("GET /api/v1/agents", as.get("/api/v1/agents").status());
        actual.put("POST /api/v1/agents", as.post("/api/v1/agents", Agents.create(uniqueSlug(role), Map.of())).status());
        actual.put("GET /api/v1/api-keys", as.get("/api/v1/api-keys").status());
        actual.put("GET /api/v1/audit-events", as.get("/api/v1/audit-events").status());
        actual.put("GET /api/v1/users", as.get("/api/v1/users").status());
        actual.put("GET /actuator/metrics", as.get("/actuator/metrics").status());
        actual.put("GET /actuator/flyway", as.get("/actuator/flyway").status());
        Reply tenant = as.post("/api/v1/tenants", Map.of("id", "m" + java.util.UUID.randomUUID().toString().substring(0, 8),
                "name", "Matrix"));
        actual.put("POST /api/v1/tenants", tenant.status());

        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void installationWideEndpointsAreTheInstallationAdminsOnly() {
        for (String path : List.of("/actuator/metrics", "/actuator/flyway", "/actuator/info")) {
            assertThat(api.get(path).status()).as("the bootstrap admin key reads " + path).isEqualTo(200);
        }
    }
}
