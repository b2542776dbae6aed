package io.retinue.tools.internal;

import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.tools.Credentials;
import io.retinue.tools.CredentialsContract;

/** The in-process credentials ({@link CredentialStore}) held to the contract their HTTP counterpart is held to. */
class CredentialStoreIT extends CredentialsContract {

    @Autowired
    Credentials credentials;

    @Override
    protected Credentials credentials() {
        return credentials;
    }
}
