package io.retinue.shared.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints {@link ConfigurationProblems} as Spring Boot prints a failed start: what is wrong, then what to do. */
public class ConfigurationProblemsAnalyzer extends AbstractFailureAnalyzer<ConfigurationProblems> {

    @Override
    protected FailureAnalysis analyze(Throwable root, ConfigurationProblems cause) {
        StringBuilder description = new StringBuilder("Retinue cannot start with this configuration:");
        cause.problems().forEach(problem -> description.append(System.lineSeparator()).append(" - ").append(problem));
        return new FailureAnalysis(description.toString(), "Set what each line names (docs/configuration.md lists "
                + "every setting; docs/operating.md the settings of each deployment shape).", cause);
    }
}
