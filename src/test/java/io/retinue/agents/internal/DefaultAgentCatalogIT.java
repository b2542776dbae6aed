package io.retinue.agents.internal;

import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentCatalogContract;
import io.retinue.shared.TenantId;

/** The in-process catalog against PostgreSQL; a remote catalog will run the same contract against HTTP. */
class DefaultAgentCatalogIT extends AgentCatalogContract {

    private static final AgentAccess EVERYTHING = new AgentAccess(TenantId.DEFAULT, java.util.Set.of());

    @Autowired
    AgentCatalog catalog;

    @Autowired
    io.retinue.agents.internal.Agents lifecycle;

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
                lifecycle.publish(EVERYTHING, slug, 1, null);
                lifecycle.newVersion(EVERYTHING, slug, AgentTest.config("b"), null, null);
                return slug;
            }

            @Override
            public String draftOnly() {
                return create();
            }

            @Override
            public String archived() {
                String slug = create();
                lifecycle.publish(EVERYTHING, slug, 1, null);
                lifecycle.archive(EVERYTHING, slug, null);
                return slug;
            }

            private String create() {
                String slug = "contract-" + java.util.UUID.randomUUID().toString().substring(0, 8);
                lifecycle.create(EVERYTHING, new NewAgent(slug, "Contract", null, Map.of(), AgentTest.config("a"), null),
                        null, null);
                return slug;
            }
        };
    }
}
