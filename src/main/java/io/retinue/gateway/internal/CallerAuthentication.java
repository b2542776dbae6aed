package io.retinue.gateway.internal;

import java.util.Collection;
import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import io.retinue.shared.Caller;

/**
 * A request authenticated by an API key or a JWT; the principal is the {@link Caller}, the authorities its effective
 * scopes.
 */
public final class CallerAuthentication extends AbstractAuthenticationToken {

    private final Caller caller;

    CallerAuthentication(Caller caller) {
        super(authorities(caller));
        this.caller = caller;
        setAuthenticated(true);
    }

    private static Collection<GrantedAuthority> authorities(Caller caller) {
        return List.copyOf(caller.scopes().stream().<GrantedAuthority>map(SimpleGrantedAuthority::new).toList());
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }
}
