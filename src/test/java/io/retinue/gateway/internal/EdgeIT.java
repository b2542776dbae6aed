package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;

/** What every request meets at the edge: access log, trace context, CORS and security headers. */
@ExtendWith(OutputCaptureExtension.class)
class EdgeIT extends PlatformIT {

    @Test
    void logsOneAccessLineWithTheRouteTemplateAndNoSecrets(CapturedOutput output) {
        String slug = uniqueSlug("logged");
        api.post("/api/v1/agents", Agents.create(slug, Map.of()));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Reply reply = api.call("GET", "/api/v1/agents/" + slug + "?token=do-not-log-me")
            .header("X-Request-Id", "edge-req-1")
            .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
            .send();
        assertThat(reply.status()).isEqualTo(200);
        api.as("rtn_Unknown00000_abcdefghijklmnopqrstuvwxyz012345").get("/api/v1/agents");

        String line = output.getAll().lines()
            .filter(candidate -> candidate.contains("retinue.access") && candidate.contains("edge-req-1"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no access log line for the request"));
        assertThat(line).contains("GET /api/v1/agents/{agent} 200", "tenant=default", "principal=key:TestAdmin001",
                "ratelimit=allowed", traceId);
        assertThat(line).doesNotContain(slug);
        assertThat(output.getAll()).doesNotContain("do-not-log-me", ADMIN_KEY, "abcdefghijklmnopqrstuvwxyz012345");
        assertThat(output.getAll()).contains("POST /api/v1/agents 201");
    }

    @Test
    void allowsConfiguredOriginsOnly() {
        Reply preflight = api.call("OPTIONS", "/api/v1/agents").anonymous()
            .header("Origin", "https://console.example.com")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
            .send();
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).contains("https://console.example.com");

        Reply actual = api.call("GET", "/api/v1/agents").header("Origin", "https://console.example.com").send();
        assertThat(actual.header("Access-Control-Expose-Headers")).hasValueSatisfying(
                exposed -> assertThat(exposed).contains("ETag", "RateLimit", "X-Request-Id"));

        Reply foreign = api.call("OPTIONS", "/api/v1/agents").anonymous()
            .header("Origin", "https://evil.example.net")
            .header("Access-Control-Request-Method", "DELETE")
            .send();
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.header("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void setsSecurityHeaders() {
        Reply reply = api.get("/api/v1/agents");
        assertThat(reply.header("X-Content-Type-Options")).contains("nosniff");
        assertThat(reply.header("X-Frame-Options")).contains("DENY");
        assertThat(reply.header("Referrer-Policy")).contains("no-referrer");
        assertThat(reply.header("Content-Security-Policy")).contains("default-src 'none'; frame-ancestors 'none'");
        assertThat(reply.header("Cache-Control")).hasValueSatisfying(value -> assertThat(value).contains("no-store"));
        assertThat(api.call("GET", "/swagger-ui/index.html").anonymous().send().header("Content-Security-Policy"))
            .as("the docs UI needs its scripts").isEmpty();
    }
}
