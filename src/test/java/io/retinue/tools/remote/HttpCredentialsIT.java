package io.retinue.tools.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Api;
import io.retinue.testing.Loopback;
import io.retinue.tools.Credentials;
import io.retinue.tools.CredentialsContract;

/**
 * Credentials as a process without the tools module opens them: {@link HttpCredentials} calling this platform's
 * internal endpoint, held to the same contract as the in-process store and answering what it answers. The endpoint
 * hands a secret only to an internal token of the credential's own tenant, never caches or logs it.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpCredentialsIT extends CredentialsContract {

    private static final String PATH = "/internal/v1/tools/credentials/secret?name=";

    @Autowired
    ApplicationContext context;

    @Autowired
    Credentials inProcess;

    @Autowired
    InternalTokens tokens;

    @Override
    protected Credentials credentials() {
        HttpCredentials remote = new HttpCredentials(Loopback.clients(context, port, "tools"));
        return (tenant, name) -> {
            Optional<String> secret = remote.secret(tenant, name);
            assertThat(secret).as("over HTTP as in-process").isEqualTo(inProcess.secret(tenant, name));
            return secret;
        };
    }

    @Test
    void handsASecretOnlyToAnInternalTokenOfItsTenantAndNeverLogsIt(CapturedOutput output) {
        TestTenant tenant = newTenant(api, "cx");
        String secret = "sk-" + UUID.randomUUID();
        tenant.owner().put("/api/v1/credentials/provider-key", Map.of("kind", "api_key", "fields",
                Map.of("value", secret))).expect(200);
        String path = PATH + "provider-key";

        Api.Reply own = withToken(path, new Caller(new TenantId(tenant.id()), "service:runtime", Set.of()));
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().get("value").asString()).isEqualTo(secret);
        assertThat(own.header("Cache-Control")).hasValueSatisfying(cache -> assertThat(cache).contains("no-store"));

        Api.Reply stranger = withToken(path, new Caller(new TenantId(newTenant(api, "cx").id()), "service:runtime",
                Set.of()));
        assertThat(stranger.status()).as(stranger.toString()).isEqualTo(204);
        assertThat(stranger.body()).isEmpty();

        assertUnauthenticated(api.call("GET", path).anonymous().send());
        assertUnauthenticated(tenant.owner().get(path)); // the tenant's own API key is no internal token
        assertUnauthenticated(api.get(path)); // nor is the platform admin's

        assertThat(credentials().secret(new TenantId(tenant.id()), "provider-key")).contains(secret);
        assertThat(output.getAll()).doesNotContain(secret);
    }

    private Api.Reply withToken(String path, Caller caller) {
        return api.call("GET", path).anonymous().header("Authorization", "Bearer " + tokens.mint(caller, "tools"))
            .send();
    }

    private static void assertUnauthenticated(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.json().get("type").asString()).endsWith("/unauthenticated");
        assertThat(reply.body()).doesNotContain("sk-");
    }
}
