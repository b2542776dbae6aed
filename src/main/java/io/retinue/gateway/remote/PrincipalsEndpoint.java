package io.retinue.gateway.remote;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.PrincipalStanding;
import io.retinue.gateway.Principals;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * {@link Principals} for other Retinue processes: how a principal recorded earlier (the body, as it was when the
 * work was made) stands now. Only about a principal of the token's own tenant: asked about another, it answers 403.
 */
@RestController
@RequestMapping(path = "/internal/v1/gateway/principals", produces = "application/json")
@ConditionalOnModule("gateway")
class PrincipalsEndpoint {

    private final Principals principals;

    PrincipalsEndpoint(Principals principals) {
        this.principals = principals;
    }

    @PostMapping(path = "/standing", consumes = "application/json")
    PrincipalStanding standing(@AuthenticationPrincipal Caller caller, @RequestBody Caller asMade) {
        if (!asMade.tenant().equals(caller.tenant())) {
            throw new DomainProblem(ProblemType.FORBIDDEN,
                    "A principal's standing is answered only to its own tenant (the token is for " + caller.tenant()
                            + ")");
        }
        return principals.standing(asMade);
    }
}
