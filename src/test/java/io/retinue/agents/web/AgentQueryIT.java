package io.retinue.agents.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class AgentQueryIT extends PlatformIT {

    @Test
    void filtersByLabelTextStatusAndModel() {
        String team = "q" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String alpha = uniqueSlug("alpha");
        String beta = uniqueSlug("beta");
        api.post("/api/v1/agents", Agents.create(alpha, Map.of("team", team, "tier", "gold")));
        ObjectNode betaBody = Agents.create(beta, Map.of("team", team));
        ((ObjectNode) betaBody.get("config").get("model")).put("name", "demo-large");
        betaBody.put("description", "Knows about invoices");
        api.post("/api/v1/agents", betaBody);
        api.post("/api/v1/agents", Agents.create(uniqueSlug("other"), Map.of("team", "elsewhere")));

        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team))).containsExactlyInAnyOrder(alpha, beta);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&label=tier=gold"))).containsExactly(alpha);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&label=tier"))).containsExactly(alpha);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&q=INVOICE"))).containsExactly(beta);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&model=demo-large&provider=demo"))).containsExactly(beta);
        api.post("/api/v1/agents/" + beta + "/archive", "");
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&status=archived"))).containsExactly(beta);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&status=active"))).containsExactly(alpha);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&sort=slug&order=asc"))).containsExactly(alpha, beta);
        assertThat(slugs(api.get("/api/v1/agents?q=%25"))).as("LIKE wildcards are literal").isEmpty();
    }

    @Test
    void filtersByTimeRange() {
        String team = "t" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String slug = uniqueSlug("timed");
        JsonNode created = api.post("/api/v1/agents", Agents.create(slug, Map.of("team", team))).json();
        String at = created.get("createdAt").asString();

        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&createdAfter=" + at))).containsExactly(slug);
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&createdBefore=" + at))).isEmpty();
        assertThat(slugs(api.get("/api/v1/agents?label=team=" + team + "&updatedBefore=2999-01-01T00:00:00Z"))).containsExactly(slug);
        Reply bad = api.get("/api/v1/agents?createdAfter=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/errors/0/pointer").asString()).isEqualTo("createdAfter");
    }

    @Test
    void cursorPagesStayStableWhileAgentsAreInserted() {
        String team = "p" + java.util.UUID.randomUUID().toString().substring(0, 8);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String slug = uniqueSlug("page" + i);
            api.post("/api/v1/agents", Agents.create(slug, Map.of("team", team)));
            created.add(slug);
        }

        List<String> seen = new ArrayList<>();
        String query = "/api/v1/agents?label=team=" + team + "&limit=3";
        Reply page = api.get(query);
        seen.addAll(slugs(page));
        int pages = 1;
        while (!page.json().get("nextCursor").isNull()) {
            // New agents arrive between pages; in newest-first order they sort before the cursor and never shift it.
            api.post("/api/v1/agents", Agents.create(uniqueSlug("late"), Map.of("team", team)));
            assertThat(page.header("Link")).hasValueSatisfying(link -> assertThat(link).contains("rel=\"next\""));
            page = api.get(query + "&cursor=" + page.json().get("nextCursor").asString());
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            seen.addAll(slugs(page));
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seen).as("every original agent exactly once, newest first").containsExactlyElementsOf(created.reversed());
    }

    @Test
    void aCursorOnlyContinuesTheQueryItCameFrom() {
        String team = "c" + java.util.UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            api.post("/api/v1/agents", Agents.create(uniqueSlug("cur"), Map.of("team", team)));
        }
        String cursor = api.get("/api/v1/agents?label=team=" + team + "&limit=1").json().get("nextCursor").asString();

        Reply otherFilter = api.get("/api/v1/agents?label=team=elsewhere&limit=1&cursor=" + cursor);
        assertThat(otherFilter.status()).isEqualTo(400);
        assertThat(otherFilter.json().get("type").asString()).endsWith("/agents/invalid-cursor");
        assertThat(api.get("/api/v1/agents?cursor=not-a-cursor").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/agents?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/agents?sort=colour").status()).isEqualTo(400);
    }

    private static List<String> slugs(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("items").valueStream().map(item -> item.get("slug").asString()).toList();
    }
}
