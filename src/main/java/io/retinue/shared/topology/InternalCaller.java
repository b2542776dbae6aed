package io.retinue.shared.topology;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import io.retinue.shared.Caller;

/** A request another Retinue process made for {@link Caller}: what {@code @AuthenticationPrincipal Caller} reads. */
final class InternalCaller extends AbstractAuthenticationToken {

    private final Caller caller;

    InternalCaller(Caller caller) {
        super(caller.scopes().stream().map(SimpleGrantedAuthority::new).toList());
        this.caller = caller;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InternalCaller that && that.caller.equals(caller);
    }

    @Override
    public int hashCode() {
        return caller.hashCode();
    }
}
