package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.retinue.RetinueApplication;

/** Configuration that cannot work stops the start before the server accepts a single connection. */
@ExtendWith(OutputCaptureExtension.class)
class StartupConfigurationTest {

    @Test
    void anInvalidBootstrapKeyStopsTheStartBeforeTheServerListens(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(RetinueApplication.class).run("--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:badkey;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "--retinue.security.bootstrap-api-key=rtn_tooShort_x",
                "--retinue.security.master-key=c21va2UtdGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzISE="))
            .hasStackTraceContaining("retinue.security.bootstrap-api-key must have the form");
        assertThat(output.getAll()).doesNotContainIgnoringCase("started on port");
    }
}
