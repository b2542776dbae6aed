package io.retinue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;

/** The embedded default (H2 in PostgreSQL mode) boots and runs the agent life cycle: no external service needed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:h2:mem:smoke;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "retinue.security.bootstrap-api-key=rtn_SmokeTest001_abcdefghijklmnopqrstuvwxyz012345",
        "retinue.security.master-key=c21va2UtdGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzISE=" })
class H2SmokeTest {

    @LocalServerPort
    int port;

    @Test
    void createsPublishesListsAndExportsOnTheEmbeddedDatabase() {
        Api api = new Api(port, "rtn_SmokeTest001_abcdefghijklmnopqrstuvwxyz012345");
        Reply created = api.post("/api/v1/agents", Agents.create("smoke", Map.of("env", "h2")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(api.post("/api/v1/agents/smoke/versions/1/publish", "").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/agents?label=env=h2&q=smo").json().at("/items/0/liveVersion").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/agents/smoke/export").body()).contains("slug: smoke");
        String cursor = api.get("/api/v1/agents?limit=1&sort=name&order=asc").json().get("nextCursor").asString(null);
        assertThat(cursor).isNull();
    }
}
