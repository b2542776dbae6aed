package io.retinue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.SortedSet;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import io.retinue.testing.ApiContract;
import io.retinue.testing.ApiExchanges;
import io.retinue.testing.ApiExchanges.Exchange;
import io.retinue.testing.PlatformIT;

/**
 * The OpenAPI document is a contract: every status and media type the application answered over the integration tests
 * (as {@link ApiExchanges} noted them) is documented for its operation, and every success status an operation
 * documents was seen where the operation was exercised ({@link ApiContract}). Runs after every other test class of
 * the JVM.
 */
@Order(Integer.MAX_VALUE)
class ApiContractIT extends PlatformIT {

    @Test
    void everyAnswerSeenIsDocumentedAndEveryDocumentedSuccessWasSeen() {
        // Run alone or with a few classes (-Dtest=…) it has too little to judge; in the whole suite it must judge.
        Assumptions.assumeTrue(System.getProperty("test") == null,
                "run with the whole suite: only its requests show the contract");
        Set<Exchange> seen = ApiExchanges.seen();
        assertThat(seen).as("answers noted by ApiExchanges over the whole suite").hasSizeGreaterThan(1000);

        SortedSet<String> differences = new ApiContract(api.get("/v3/api-docs").json()).differences(seen);

        assertThat(differences).as("%d differences between the document and the answers:%n%s", differences.size(),
                String.join("\n", differences)).isEmpty();
    }
}
