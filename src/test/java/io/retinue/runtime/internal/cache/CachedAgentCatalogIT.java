package io.retinue.runtime.internal.cache;

import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentCatalogContract;

/**
 * The agent catalog as the runtime reads it, through its cache, held to the same contract as the in-process and the
 * HTTP catalog. Agents are prepared through the public API, as their owners would.
 */
class CachedAgentCatalogIT extends AgentCatalogContract {

    @Autowired
    @Cached
    AgentCatalog catalog;

    @Override
    protected AgentCatalog catalog() {
        return catalog;
    }

    @Override
    protected Agents agents() {
        return new Agents() {

            @Override
            public String publishedWithDraft() {
                String slug = create();
                api.post("/api/v1/agents/" + slug + "/versions/1/publish", Map.of()).expect(200);
                api.post("/api/v1/agents/" + slug + "/versions", Map.of("config", config("b"))).expect(201);
                return slug;
            }

            @Override
            public String draftOnly() {
                return create();
            }

            @Override
            public String archived() {
                String slug = create();
                api.post("/api/v1/agents/" + slug + "/versions/1/publish", Map.of()).expect(200);
                api.post("/api/v1/agents/" + slug + "/archive", Map.of()).expect(200);
                return slug;
            }

            private String create() {
                String slug = uniqueSlug("cached");
                api.post("/api/v1/agents", Map.of("slug", slug, "name", "Cached", "config", config("a"))).expect(201);
                return slug;
            }

            private Map<String, Object> config(String model) {
                return Map.of("model", Map.of("provider", "demo", "name", model), "instructions",
                        Map.of("system", "Hi"));
            }
        };
    }
}
