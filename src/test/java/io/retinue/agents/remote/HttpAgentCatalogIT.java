package io.retinue.agents.remote;

import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentCatalogContract;
import io.retinue.testing.Loopback;

/**
 * The catalog as a process without the agents module sees it: {@link HttpAgentCatalog} calling this platform's
 * internal endpoint over HTTP, held to the same contract as the in-process catalog. Agents are prepared through the
 * public API, as their owners would.
 */
class HttpAgentCatalogIT extends AgentCatalogContract {

    @Autowired
    ApplicationContext platform;

    @Override
    protected AgentCatalog catalog() {
        return new HttpAgentCatalog(Loopback.clients(platform, port, "agents"));
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
                String slug = uniqueSlug("contract");
                api.post("/api/v1/agents", Map.of("slug", slug, "name", "Contract", "config", config("a"))).expect(201);
                return slug;
            }

            private Map<String, Object> config(String model) {
                return Map.of("model", Map.of("provider", "demo", "name", model), "instructions",
                        Map.of("system", "Hi"));
            }
        };
    }
}
