package io.retinue.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

import io.retinue.RetinueApplication;

class ConfigurationCheckTest {

    private static final String H2 = "jdbc:h2:file:./data/retinue;MODE=PostgreSQL";
    private static final String POSTGRES = "jdbc:postgresql://db:5432/retinue_runtime";
    private static final String KEY = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";

    @Test
    void theEmbeddedDefaultStartsAsItIs() {
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("spring.datasource.url", H2)))
            .isEmpty();
    }

    @Test
    void aServiceOfTheSplitShapeNeedsItsOwnDatabaseTheSharedKeyAndTheOtherServices() {
        MockEnvironment runtime = new MockEnvironment().withProperty("retinue.role", "runtime")
            .withProperty("spring.datasource.url", H2)
            .withProperty("retinue.services.agents.url", "http://agents:8080");
        assertThat(ConfigurationCheck.problems(runtime)).satisfiesExactly(
                database -> assertThat(database).contains("retinue.role=runtime", "RETINUE_DB_URL"),
                key -> assertThat(key).contains("RETINUE_MASTER_KEY"),
                gateway -> assertThat(gateway).contains("RETINUE_SERVICES_GATEWAY_URL"),
                tools -> assertThat(tools).contains("RETINUE_SERVICES_TOOLS_URL"));

        runtime.withProperty("spring.datasource.url", POSTGRES).withProperty("retinue.security.master-key", KEY)
            .withProperty("retinue.services.gateway.url", "http://gateway:8080")
            .withProperty("retinue.services.tools.url", "http://tools-1:8080,http://tools-2:8080");
        assertThat(ConfigurationCheck.problems(runtime)).isEmpty();
    }

    @Test
    void theProductionProfileRefusesTheEmbeddedDefaults() {
        MockEnvironment production = new MockEnvironment().withProperty("spring.datasource.url", H2);
        production.setActiveProfiles("production");
        assertThat(ConfigurationCheck.problems(production)).satisfiesExactly(
                key -> assertThat(key).contains("production profile needs RETINUE_MASTER_KEY"),
                database -> assertThat(database).contains("production profile needs PostgreSQL"));

        production.withProperty("spring.datasource.url", POSTGRES).withProperty("retinue.security.master-key", KEY);
        assertThat(ConfigurationCheck.problems(production)).isEmpty();
    }

    @Test
    void aTracingEndpointThatIsNoUrlIsRefused() {
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("spring.datasource.url", H2)
            .withProperty("retinue.tracing.endpoint", "otel-collector:4318"))).singleElement().asString()
            .contains("RETINUE_TRACING_ENDPOINT", "otel-collector:4318", "http(s)");
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("spring.datasource.url", H2)
            .withProperty("retinue.tracing.endpoint", "http://otel-collector:4318/v1/traces"))).isEmpty();
    }

    @Test
    void aScrapeTokenTooShortToBeASecretIsRefused() {
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("spring.datasource.url", H2)
            .withProperty("retinue.metrics.scrape-token", "prometheus"))).singleElement().asString()
            .contains("RETINUE_METRICS_SCRAPE_TOKEN", "10 characters", "24 or more");
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("spring.datasource.url", H2)
            .withProperty("retinue.metrics.scrape-token", "0123456789abcdef0123456789abcdef"))).isEmpty();
    }

    @Test
    void anUnknownRoleIsOneProblem() {
        assertThat(ConfigurationCheck.problems(new MockEnvironment().withProperty("retinue.role", "billing")))
            .singleElement().asString().contains("billing");
    }

    @Test
    void aStartStopsBeforeAnyBeanWithEveryProblemNamed() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(RetinueApplication.class)
            .run("--retinue.role=gateway", "--server.port=0", "--spring.datasource.url=jdbc:h2:mem:check"))
            .isInstanceOfSatisfying(ConfigurationProblems.class, failure -> {
                assertThat(failure.problems()).hasSize(5);
                FailureAnalysis analysis = new ConfigurationProblemsAnalyzer().analyze(failure);
                assertThat(analysis.getDescription()).startsWith("Retinue cannot start with this configuration:")
                    .contains(" - retinue.role=gateway needs RETINUE_MASTER_KEY",
                            "RETINUE_SERVICES_AGENTS_URL", "RETINUE_SERVICES_RUNTIME_URL", "RETINUE_SERVICES_TOOLS_URL");
            });
    }
}
