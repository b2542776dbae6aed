package io.retinue.gateway.remote;

import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.TenantData;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;

/**
 * The steps of a tenant's removal for a gateway in another process, served by any process for the modules keeping
 * tenants' data that it runs: the tenant is the internal token's, and only a service acting as itself (the gateway's removal, not
 * a client's request it forwards) may ask. Suspending is asked of every module, whether it has work of its own to stop
 * or not: a module that cannot answer stops the removal before anything is erased.
 */
@RestController
class TenantDataEndpoint {

    /** Whether the step is done ({@code false}: an erase to be asked again, the tenant's work still ending). */
    record Done(boolean done) {
    }

    private final List<TenantData> modules;

    TenantDataEndpoint(List<TenantData> modules) {
        this.modules = modules;
    }

    @PostMapping(path = "/internal/v1/{module}/tenant/{step}", produces = "application/json")
    Done step(@AuthenticationPrincipal Caller caller, @PathVariable String module, @PathVariable String step) {
        if (!caller.principalId().startsWith("service:")) {
            throw new DomainProblem(ProblemType.FORBIDDEN, "Only the gateway's removal of a tenant may ask this");
        }
        TenantData data = modules.stream()
            .filter(candidate -> candidate.module().equals(module) && !(candidate instanceof HttpTenantData))
            .findFirst()
            .orElseThrow(() -> DomainProblem.notFound("Module '" + module + "' here"));
        return switch (step) {
            case "suspend" -> {
                data.suspend(caller.tenant());
                yield new Done(true);
            }
            case "resume" -> {
                data.resume(caller.tenant());
                yield new Done(true);
            }
            case "erase" -> new Done(data.erase(caller.tenant()));
            default -> throw DomainProblem.notFound("Step '" + step + "'");
        };
    }
}
