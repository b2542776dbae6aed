package io.retinue.tools.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.testing.Loopback;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolCatalogContract;
import io.retinue.tools.ToolDescriptor;

/**
 * The catalog as a process without the tools module sees it: {@link HttpToolCatalog} calling this platform's internal
 * endpoint, held to the same contract as the in-process catalog — and every list it answers must be the very one the
 * in-process catalog answers to the same question, in the same order, schemas and all.
 */
class HttpToolCatalogIT extends ToolCatalogContract {

    @Autowired
    ApplicationContext context;

    @Autowired
    ToolCatalog inProcess;

    @Override
    protected ToolCatalog catalog() {
        HttpToolCatalog remote = new HttpToolCatalog(Loopback.clients(context, port, "tools"));
        return (caller, agent) -> {
            List<ToolDescriptor> offered = remote.availableTo(caller, agent);
            assertThat(offered).as("over HTTP as in-process").isEqualTo(inProcess.availableTo(caller, agent));
            return offered;
        };
    }
}
