package io.retinue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists that say "pass nextCursor back as cursor" page: walked two at a time, each gives every item once, newest
 * first, and its last page says there is no next.
 */
class PaginationIT extends PlatformIT {

    private static final int ITEMS = 5;

    @Test
    void everyListPagesThroughAllItsItemsOnce() {
        Api owner = newTenant(api, "pg").owner();
        ObjectNode body = Agents.create(uniqueSlug("pages"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "builtin.calculator", "effect", "allow"))
            .expect(201);
        owner.post("/api/v1/webhooks/secret", "").expect(200);
        String hooks = "http://localhost:" + TestUpstream.shared().port() + "/hook/" + slug;
        for (int i = 0; i < ITEMS; i++) {
            owner.post("/api/v1/schedules", Map.of("agent", slug, "input", "tick", "variables",
                    Map.of("company", "ACME"), "cron", "0 0 1 1 *", "timeZone", "UTC")).expect(201);
            owner.post("/api/v1/sessions", Map.of("agent", slug)).expect(201);
            owner.post("/api/v1/tools/builtin.calculator/invoke", Map.of("arguments", Map.of("expression", i + "+1")))
                .expect(200);
            owner.post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables", Map.of("company", "ACME"),
                    "webhook", hooks)).expect(201);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> owner
            .get("/api/v1/webhook-deliveries?status=delivered&limit=200").json().get("items").size() == ITEMS);

        for (String list : List.of("/api/v1/schedules", "/api/v1/sessions", "/api/v1/tool-executions",
                "/api/v1/tool-permissions/decisions", "/api/v1/webhook-deliveries?status=delivered")) {
            List<String> all = owner.get(list + (list.contains("?") ? "&" : "?") + "limit=200").expect(200).json()
                .get("items").valueStream().map(item -> item.get("id").asString()).toList();
            assertThat(all).as(list).hasSize(ITEMS).doesNotHaveDuplicates();
            List<String> paged = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = owner.get(list + (list.contains("?") ? "&" : "?") + "limit=2"
                        + (cursor == null ? "" : "&cursor=" + cursor)).expect(200).json();
                page.get("items").forEach(item -> paged.add(item.get("id").asString()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
                pages++;
            }
            while (cursor != null && pages < 10);
            assertThat(paged).as("%s walked two at a time", list).containsExactlyElementsOf(all);
            assertThat(pages).as(list).isEqualTo(3);
            assertThat(owner.get(list + (list.contains("?") ? "&" : "?") + "limit=0").status()).isEqualTo(400);
        }
    }
}
