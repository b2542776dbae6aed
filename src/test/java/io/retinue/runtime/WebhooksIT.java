package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.StatementLog;
import io.retinue.testing.TestUpstream;
import io.retinue.testing.TestUpstream.Hook;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Webhooks: signed deliveries of run outcomes, per run and per agent, retried into dead letters and retried again. */
class WebhooksIT extends PlatformIT {

    @Autowired
    DataSource dataSource;

    /**
     * With no delivery pending, the instance waits for one to be made instead of looking for due ones every quarter of
     * a second (a query each time, on every idle instance); a delivery made is still sent at once.
     */
    @Test
    void anIdleInstanceWaitsForADeliveryInsteadOfLookingEveryMoment() throws Exception {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc
            .sql("SELECT COUNT(*) FROM runtime.webhook_delivery WHERE status = 'pending'").query(Long.class).single() == 0);
        long looks = ((StatementLog) dataSource).sentWhileIdle(Duration.ofSeconds(2)).stream()
            .filter(sent -> sent.sql().contains("FROM runtime.webhook_delivery WHERE status = 'pending'"))
            .count();
        assertThat(looks).as("queries for pending deliveries in 2 s of idling").isLessThanOrEqualTo(2);

        TestUpstream upstream = TestUpstream.shared();
        Api owner = newTenant(api, "wi").owner();
        String slug = hookedAgent(owner);
        String marker = "/hook/" + uniqueSlug("idle");
        long sent = System.nanoTime();
        owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables", Map.of("company", "ACME"),
                "webhook", "http://localhost:" + upstream.port() + marker)).expect(201);
        await().atMost(Duration.ofSeconds(15))
            .until(() -> upstream.hooks().stream().anyMatch(received -> received.path().equals(marker)));
        assertThat(Duration.ofNanos(System.nanoTime() - sent))
            .as("sent once its run ended, not at the next look").isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aReceiverSlowToAnswerHoldsUpNoOtherDelivery() throws Exception {
        TestUpstream upstream = TestUpstream.shared();
        String base = "http://localhost:" + upstream.port();
        String slow = "/hook-slow/" + uniqueSlug("slow");
        String prompt = "/hook/" + uniqueSlug("prompt");
        Api sluggish = newTenant(api, "ws").owner();
        Api other = newTenant(api, "wo").owner();
        String sluggishAgent = hookedAgent(sluggish);
        String otherAgent = hookedAgent(other);

        sluggish.post("/api/v1/runs", Map.of("agent", sluggishAgent, "input", "hi", "variables",
                Map.of("company", "ACME"), "webhook", base + slow));
        await().atMost(Duration.ofSeconds(15))
            .until(() -> upstream.hooks().stream().anyMatch(received -> received.path().equals(slow)));
        // The slow receiver holds its delivery for 8 s from now; the other tenant's is made meanwhile.
        long sent = System.nanoTime();
        other.post("/api/v1/runs", Map.of("agent", otherAgent, "input", "hi", "variables", Map.of("company", "ACME"),
                "webhook", base + prompt));
        await().atMost(Duration.ofSeconds(5))
            .until(() -> upstream.hooks().stream().anyMatch(received -> received.path().equals(prompt)));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> sluggish.get("/api/v1/webhook-deliveries?status=delivered")
            .json().get("items").size() == 1);
    }

    /** A published agent of the demo model, and the tenant's signing secret. */
    private String hookedAgent(Api owner) {
        ObjectNode body = Agents.create(uniqueSlug("hooked"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        owner.post("/api/v1/webhooks/secret", "");
        return slug;
    }

    @Test
    void runOutcomesAreDeliveredSignedRetriedAndDeadLettered() throws Exception {
        TestUpstream upstream = TestUpstream.shared();
        String base = "http://localhost:" + upstream.port();
        Api owner = newTenant(api, "wh").owner();
        ObjectNode body = Agents.create(uniqueSlug("hooked"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        Map<String, String> variables = Map.of("company", "ACME");

        Api.Reply unsigned = owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables", variables,
                "webhook", base + "/hook"));
        assertThat(unsigned.status()).as("no secret to sign with yet").isEqualTo(422);
        String secret = owner.post("/api/v1/webhooks/secret", "").json().get("secret").asString();
        assertThat(owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables", variables,
                "webhook", "http://10.1.2.3/hook")).json().at("/errors/0/pointer").asString()).isEqualTo("/webhook");

        String marker = "/hook/" + uniqueSlug("run");
        String run = owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables", variables,
                "webhook", base + marker)).json().at("/run/id").asString();
        Hook hook = await().atMost(Duration.ofSeconds(15)).until(() -> upstream.hooks().stream()
            .filter(received -> received.path().equals(marker)).findFirst().orElse(null), java.util.Objects::nonNull);
        JsonNode delivered = Api.JSON.readTree(hook.body());
        assertThat(delivered.get("event").asString()).isEqualTo("run.completed");
        assertThat(delivered.get("runId").asString()).isEqualTo(run);
        assertThat(delivered.get("output").asString()).startsWith("[demo model]");
        String timestamp = hook.signature().replaceAll("^t=(\\d+),v1=.*$", "$1");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).isLessThan(60);
        assertThat(hook.signature()).as("HMAC-SHA256 of '<t>.<body>' with the tenant's secret")
            .endsWith("v1=" + hmac(secret, timestamp + "." + hook.body()));
        assertThat(owner.get("/api/v1/webhook-deliveries?status=delivered").json().get("items")).hasSize(1);

        String subscribed = "/hook/" + uniqueSlug("sub");
        assertThat(owner.post("/api/v1/webhooks", Map.of("url", base + subscribed, "agent", slug)).status())
            .isEqualTo(201);
        owner.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", slug, "input", "async", "variables",
                variables)).send();
        await().atMost(Duration.ofSeconds(15))
            .until(() -> upstream.hooks().stream().anyMatch(received -> received.path().equals(subscribed)));

        owner.post("/api/v1/runs", Map.of("agent", slug, "input", "doomed", "variables", variables,
                "webhook", base + "/hook-failing"));
        JsonNode dead = await().atMost(Duration.ofSeconds(20)).until(() -> owner
            .get("/api/v1/webhook-deliveries?status=dead").json().at("/items/0"), node -> !node.isMissingNode());
        assertThat(dead.get("attempts").asInt()).as("retried up to the maximum").isEqualTo(3);
        assertThat(dead.get("lastError").asString()).isEqualTo("HTTP 500");
        long failedBefore = upstream.hooks().stream().filter(received -> received.path().equals("/hook-failing")).count();
        assertThat(owner.post("/api/v1/webhook-deliveries/" + dead.get("id").asString() + "/retry", "").status())
            .isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> upstream.hooks().stream()
            .filter(received -> received.path().equals("/hook-failing")).count() >= failedBefore + 3);
        assertThat(api.get("/api/v1/webhook-deliveries").json().get("items").valueStream()
            .map(delivery -> delivery.get("url").asString()).toList())
            .as("another tenant sees none of them").noneMatch(url -> url.contains("/hook-failing"));
        List<JsonNode> subscriptions = owner.get("/api/v1/webhooks").json().valueStream().toList();
        assertThat(owner.delete("/api/v1/webhooks/" + subscriptions.getFirst().get("id").asString()).status())
            .isEqualTo(204);
    }

    private static String hmac(String secret, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
