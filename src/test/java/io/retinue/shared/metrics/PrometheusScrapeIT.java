package io.retinue.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/** {@code /actuator/prometheus} answers the scrape token alone, in Prometheus's text format. */
class PrometheusScrapeIT extends PlatformIT {

    @Test
    void theScrapeTokenReadsTheMetricsInPrometheusFormat() {
        api.post("/api/v1/agents", io.retinue.testing.Agents.create("scraped-bot", Map.of())).expect(201);

        Api.Reply scraped = api.call("GET", "/actuator/prometheus").anonymous()
            .header("Authorization", "Bearer " + SCRAPE_TOKEN).send();
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.contentType()).startsWith("text/plain");
        assertThat(scraped.body()).contains("# TYPE http_server_requests_seconds ",
                "http_server_requests_seconds_count{", "retinue_runs_queue_depth", "jvm_memory_used_bytes");
    }

    @Test
    void noTokenAWrongOneOrAnApiKeyIsRefusedWithAProblem() {
        for (String authorization : new String[] { null, "Bearer " + SCRAPE_TOKEN + "x", "Bearer " + ADMIN_KEY,
                "Basic " + SCRAPE_TOKEN }) {
            Api.Call call = api.call("GET", "/actuator/prometheus").anonymous();
            if (authorization != null) {
                call.header("Authorization", authorization);
            }
            Api.Reply refused = call.send();
            assertThat(refused.status()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.header("WWW-Authenticate")).contains("Bearer");
            assertThat(refused.body()).doesNotContain("http_server_requests");
        }
        // The admin key still reads the installation's other actuator endpoints.
        assertThat(api.get("/actuator/metrics").status()).isEqualTo(200);
    }
}
