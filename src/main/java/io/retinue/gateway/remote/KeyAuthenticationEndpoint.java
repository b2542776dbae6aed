package io.retinue.gateway.remote;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.KeyAuthentication;
import io.retinue.shared.Caller;
import io.retinue.shared.topology.ConditionalOnModule;

/**
 * {@link KeyAuthentication} for other Retinue processes: the caller of a presented API key, or 204 when it stands
 * for none. The key travels in the body (never a URL, which access logs keep), and the key alone decides the tenant:
 * the internal token only proves the asker is a process of this installation.
 */
@RestController
@RequestMapping(path = "/internal/v1/gateway/keys", produces = "application/json")
@ConditionalOnModule("gateway")
class KeyAuthenticationEndpoint {

    /** The body: the key as it was presented. */
    record Presented(String apiKey) {

        @Override
        public String toString() {
            return "Presented[apiKey=****]";
        }
    }

    private final KeyAuthentication keys;

    KeyAuthenticationEndpoint(KeyAuthentication keys) {
        this.keys = keys;
    }

    @PostMapping(path = "/authentication", consumes = "application/json")
    ResponseEntity<Caller> authenticate(@RequestBody Presented presented) {
        return keys.authenticate(presented.apiKey())
            .map(ResponseEntity::ok)
            .orElseGet(() -> ResponseEntity.noContent().build());
    }
}
