package io.retinue.runtime.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolCatalogContract;
import io.retinue.tools.ToolDescriptor;

/**
 * The tool catalog as the runtime reads it, through its cache, held to the same contract as the in-process and the
 * HTTP catalog (which changes grants between questions) — and every list it answers must be the very one the
 * in-process catalog answers to the same question.
 */
class CachedToolCatalogIT extends ToolCatalogContract {

    @Autowired
    @Cached
    ToolCatalog cached;

    @Autowired
    ToolCatalog inProcess;

    @Override
    protected ToolCatalog catalog() {
        assertThat(cached).isNotSameAs(inProcess);
        return (caller, agent) -> {
            List<ToolDescriptor> offered = cached.availableTo(caller, agent);
            assertThat(offered).as("cached as in-process").isEqualTo(inProcess.availableTo(caller, agent));
            return offered;
        };
    }
}
