package io.retinue.shared.config;

import java.util.List;

/** The settings a process was given do not go together; each problem says what to set. */
public class ConfigurationProblems extends RuntimeException {

    private final List<String> problems;

    public ConfigurationProblems(List<String> problems) {
        super("Retinue cannot start with this configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
