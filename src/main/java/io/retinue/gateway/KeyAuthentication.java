package io.retinue.gateway;

import java.util.Optional;

import io.retinue.shared.Caller;

/**
 * Authenticates an API key presented outside HTTP — on a message of the run-request queue, say — exactly as the HTTP
 * filter does: a valid, unexpired, unrevoked key answers its caller; anything else answers nothing.
 */
public interface KeyAuthentication {

    Optional<Caller> authenticate(String apiKey);
}
