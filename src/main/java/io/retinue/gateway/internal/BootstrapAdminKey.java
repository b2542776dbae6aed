package io.retinue.gateway.internal;

import java.io.PrintStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;

/**
 * Makes sure a fresh installation can be administered: the key given in {@code RETINUE_BOOTSTRAP_API_KEY} is
 * registered (by digest) if it is not yet, and when there is no key at all and none was given, an admin key is
 * generated and printed once to standard output — never to the log, and never again.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private static final Set<String> SCOPES = Set.of(Scopes.ADMIN, Scopes.PLATFORM_ADMIN);

    private final ApiKeys keys;
    /** The configured key, checked when this bean is made: a wrong one stops the start before the server listens. */
    private final Optional<ApiKeySecret> configured;
    private final Clock clock;
    private final PrintStream console;

    BootstrapAdminKey(ApiKeys keys, @Value("${retinue.security.bootstrap-api-key:}") String configured, Clock clock) {
        this.keys = keys;
        this.configured = configured.isBlank() ? Optional.empty() : Optional.of(ApiKeySecret.parse(configured)
            .orElseThrow(() -> new IllegalStateException(
                    "retinue.security.bootstrap-api-key must have the form rtn_<12 letters/digits>_<32 letters/digits>")));
        this.clock = clock;
        this.console = System.out;
    }

    private void register(ApiKeySecret secret, String name) {
        keys.add(secret, new ApiKey(secret.keyId(), TenantId.DEFAULT, name, secret.digest(), SCOPES, Set.of(),
                "bootstrap", clock.instant().truncatedTo(ChronoUnit.MICROS), null, null, null, null));
    }

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        if (configured.isPresent()) {
            ApiKeySecret secret = configured.get();
            if (keys.find(secret.keyId()).isEmpty()) {
                register(secret, "bootstrap admin (configured)");
                log.info("Registered the configured bootstrap admin API key {}", secret.keyId());
            }
            return;
        }
        if (keys.isEmpty()) {
            ApiKeySecret secret = ApiKeySecret.generate();
            register(secret, "bootstrap admin");
            log.info("Created the bootstrap admin API key {}; its secret is printed once on standard output",
                    secret.keyId());
            console.println();
            console.println("=================================================================================");
            console.println(" Retinue bootstrap admin API key (shown once, only its hash is stored):");
            console.println("   " + secret.token());
            console.println(" Use it as:  Authorization: Bearer <key>   (or the X-API-Key header)");
            console.println("=================================================================================");
            console.println();
        }
    }
}
