package io.retinue.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** Spans are recorded (every one) only where they are exported; a sampling probability set anywhere is kept. */
class TracingDefaultsTest {

    @Test
    void everyRunIsSampledWhereSpansAreExportedAndNoneElsewhere() {
        assertThat(sampling(new MockEnvironment())).isEqualTo("0.0");
        assertThat(sampling(new MockEnvironment().withProperty(TracingDefaults.ENDPOINT, ""))).isEqualTo("0.0");
        assertThat(sampling(new MockEnvironment().withProperty(TracingDefaults.ENDPOINT,
                "http://collector:4318/v1/traces"))).isEqualTo("1.0");
        assertThat(sampling(new MockEnvironment().withProperty(TracingDefaults.ENDPOINT,
                "http://collector:4318/v1/traces").withProperty(TracingDefaults.PROBABILITY, "0.25"))).isEqualTo("0.25");
    }

    @Test
    void retinuesEndpointSettingIsBootsOtlpEndpoint() {
        MockEnvironment environment = new MockEnvironment().withProperty(TracingDefaults.RETINUE_ENDPOINT,
                " http://collector:4318/v1/traces ");
        assertThat(sampling(environment)).isEqualTo("1.0");
        assertThat(environment.getProperty(TracingDefaults.ENDPOINT)).isEqualTo("http://collector:4318/v1/traces");
        MockEnvironment both = new MockEnvironment().withProperty(TracingDefaults.RETINUE_ENDPOINT, "http://a:4318/v1/traces")
            .withProperty(TracingDefaults.ENDPOINT, "http://b:4318/v1/traces");
        sampling(both);
        assertThat(both.getProperty(TracingDefaults.ENDPOINT)).isEqualTo("http://b:4318/v1/traces");
    }

    private static String sampling(MockEnvironment environment) {
        new TracingDefaults().postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty(TracingDefaults.PROBABILITY);
    }
}
