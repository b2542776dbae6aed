package io.retinue.gateway.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import io.retinue.gateway.PrincipalStanding;
import io.retinue.gateway.Principals;
import io.retinue.gateway.PrincipalsContract;
import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Api;
import io.retinue.testing.Loopback;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's {@link Principals} as a process without the gateway sees it: {@link HttpPrincipals} calling this
 * platform's internal endpoint over HTTP, held to the same contract as the in-process one; the endpoint answers only
 * about principals of the token's tenant, and the standing crosses the wire under a stable discriminator.
 */
class HttpPrincipalsIT extends PrincipalsContract {

    @Autowired
    ApplicationContext platform;

    @Autowired
    InternalTokens tokens;

    @Autowired
    JsonMapper json;

    private Principals principals;

    @BeforeEach
    void overHttp() {
        principals = new HttpPrincipals(Loopback.clients(platform, port, "gateway"));
    }

    @Override
    protected Principals principals() {
        return principals;
    }

    @Test
    void answersOnlyAboutPrincipalsOfTheTokensTenant() {
        Caller asMade = new Caller(TenantId.DEFAULT, "key:TestAdmin001", Set.of("runs:execute"));
        Caller stranger = new Caller(new TenantId("someone-else"), "service:test", Set.of());
        Api.Reply refused = api.call("POST", "/internal/v1/gateway/principals/standing")
            .anonymous()
            .header("Authorization", "Bearer " + tokens.mint(stranger, "gateway"))
            .json(asMade)
            .send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.json().get("type").asString()).endsWith("/forbidden");
    }

    @Test
    void namesTheStandingOnTheWire() {
        Caller caller = new Caller(TenantId.DEFAULT, "user:x", Set.of("runs:execute"));
        assertThat(json.readTree(json.writeValueAsString(new PrincipalStanding.Lapsed("gone"))))
            .isEqualTo(json.readTree("{\"standing\":\"lapsed\",\"reason\":\"gone\"}"));
        assertThat(json.readTree(json.writeValueAsString(new PrincipalStanding.Current(caller))).get("standing")
            .asString()).isEqualTo("current");
        assertThat(json.readValue("{\"standing\":\"current\",\"caller\":" + json.writeValueAsString(caller) + "}",
                PrincipalStanding.class)).isEqualTo(new PrincipalStanding.Current(caller));
    }
}
