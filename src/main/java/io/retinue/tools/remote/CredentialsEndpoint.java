package io.retinue.tools.remote;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.tools.Credentials;

/**
 * {@link Credentials} for other Retinue processes: the secret of a credential of the token's tenant — and only of
 * that tenant — for the model provider call it is opened for; 204 when there is none. Internal only (like every
 * {@code /internal/**} endpoint it takes nothing but an internal token); the secret travels only in the response body,
 * never in a URL or header an access log keeps, is marked not to be stored and is never logged.
 */
@RestController
@RequestMapping(path = "/internal/v1/tools/credentials", produces = "application/json")
@ConditionalOnModule("tools")
class CredentialsEndpoint {

    /** A credential's secret as it crosses the wire. */
    record Secret(String value) {

        @Override
        public String toString() {
            return "Secret[value=…]";
        }
    }

    private final Credentials credentials;

    CredentialsEndpoint(Credentials credentials) {
        this.credentials = credentials;
    }

    @GetMapping("/secret")
    ResponseEntity<Secret> secret(@AuthenticationPrincipal Caller caller, @RequestParam String name) {
        return credentials.secret(caller.tenant(), name)
            .map(secret -> ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new Secret(secret)))
            .orElseGet(() -> ResponseEntity.noContent().build());
    }
}
