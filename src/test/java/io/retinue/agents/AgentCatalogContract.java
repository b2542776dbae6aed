package io.retinue.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.retinue.shared.TenantId;
import io.retinue.testing.PlatformIT;

/**
 * What every {@link AgentCatalog} must do, in-process or remote: only published versions are ever handed out, the
 * live one by default, none for an archived agent unless a version is pinned, and nothing across tenants.
 * Implementations provide a catalog and a way to put agents into the state each case needs; they run against the
 * whole platform, as a remote catalog will.
 */
public abstract class AgentCatalogContract extends PlatformIT {

    /** Prepares agents in the catalog's backing store; returns their slugs. */
    protected interface Agents {

        /** An agent whose version 1 is published and live, and version 2 a draft. */
        String publishedWithDraft();

        /** An agent with only a draft. */
        String draftOnly();

        /** An agent with a live version 1, archived. */
        String archived();
    }

    protected abstract AgentCatalog catalog();

    protected abstract Agents agents();

    @Test
    void handsOutTheLiveVersionByDefault() {
        String slug = agents().publishedWithDraft();
        AgentSpec spec = catalog().spec(TenantId.DEFAULT, slug, null).orElseThrow();
        assertThat(spec.version()).isEqualTo(1);
        assertThat(spec.live()).isTrue();
        assertThat(spec.slug()).isEqualTo(slug);
        assertThat(spec.configDigest()).hasSize(64);
        assertThat(catalog().spec(TenantId.DEFAULT, spec.agentId().toString(), null)).contains(spec);
    }

    @Test
    void neverHandsOutDrafts() {
        assertThat(catalog().spec(TenantId.DEFAULT, agents().publishedWithDraft(), 2)).isEmpty();
        assertThat(catalog().spec(TenantId.DEFAULT, agents().draftOnly(), null)).isEmpty();
        assertThat(catalog().spec(TenantId.DEFAULT, agents().draftOnly(), 1)).isEmpty();
    }

    @Test
    void archivedAgentsRunOnlyWhenAVersionIsPinned() {
        String slug = agents().archived();
        assertThat(catalog().spec(TenantId.DEFAULT, slug, null)).isEmpty();
        assertThat(catalog().spec(TenantId.DEFAULT, slug, 1)).hasValueSatisfying(spec -> assertThat(spec.version()).isEqualTo(1));
    }

    @Test
    void findsNothingUnknownOrInAnotherTenant() {
        String slug = agents().publishedWithDraft();
        assertThat(catalog().spec(TenantId.DEFAULT, "no-such-agent", null)).isEmpty();
        assertThat(catalog().spec(TenantId.DEFAULT, slug, 99)).isEmpty();
        assertThat(catalog().spec(new TenantId("someone-else"), slug, null)).isEmpty();
    }
}
