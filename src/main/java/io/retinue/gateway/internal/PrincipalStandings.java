package io.retinue.gateway.internal;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.retinue.gateway.PrincipalStanding;
import io.retinue.gateway.Principals;
import io.retinue.shared.Caller;

/**
 * Looks up the principal of a caller recorded earlier: a key as the gateway has it now (within {@link ApiKeys}'s
 * freshness), a user with the scopes of their current role. An external identity (OIDC) cannot be asked about
 * without a token of its provider, so it stands as it was recorded.
 */
@Component
class PrincipalStandings implements Principals {

    private static final String KEY = "key:";
    private static final String USER = "user:";

    private final ApiKeys keys;
    private final Users users;
    private final Clock clock;

    PrincipalStandings(ApiKeys keys, Users users, Clock clock) {
        this.keys = keys;
        this.users = users;
        this.clock = clock;
    }

    @Override
    public PrincipalStanding standing(Caller asMade) {
        String id = asMade.principalId();
        if (id.startsWith(KEY)) {
            return key(asMade, id.substring(KEY.length()));
        }
        if (id.startsWith(USER)) {
            return user(asMade, id.substring(USER.length()));
        }
        return new PrincipalStanding.Current(asMade);
    }

    private PrincipalStanding key(Caller asMade, String keyId) {
        Optional<ApiKey> key = keys.find(asMade.tenant(), keyId);
        if (key.isEmpty()) {
            return new PrincipalStanding.Lapsed("the API key " + keyId + " no longer exists");
        }
        if (key.get().revokedAt() != null) {
            return new PrincipalStanding.Lapsed("the API key " + keyId + " was revoked");
        }
        if (!key.get().worksAt(clock.instant())) {
            return new PrincipalStanding.Lapsed("the API key " + keyId + " expired");
        }
        return new PrincipalStanding.Current(key.get().asCaller());
    }

    private PrincipalStanding user(Caller asMade, String userId) {
        Optional<User> user;
        try {
            user = users.byId(UUID.fromString(userId)).filter(found -> found.tenant().equals(asMade.tenant()));
        }
        catch (IllegalArgumentException notAUserId) {
            user = Optional.empty();
        }
        if (user.isEmpty()) {
            return new PrincipalStanding.Lapsed("the user " + userId + " no longer exists");
        }
        if (user.get().isDisabled()) {
            return new PrincipalStanding.Lapsed("the user " + userId + " was disabled");
        }
        return new PrincipalStanding.Current(new Caller(asMade.tenant(), asMade.principalId(), user.get().role().scopes()));
    }
}
