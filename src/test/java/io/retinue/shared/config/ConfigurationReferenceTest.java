package io.retinue.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code docs/configuration-reference.md} is generated from the configuration metadata the build writes
 * ({@code META-INF/spring-configuration-metadata.json}: the {@code @ConfigurationProperties} records, merged with
 * {@code additional-spring-configuration-metadata.json} for the rest), so each setting is described once. This test
 * fails when the page is not what the metadata gives (run it with {@code -Dconfiguration.reference.write=true} to
 * write it), when a {@code retinue.*} setting the code or {@code application.yaml} reads is not in the metadata, or
 * when one has no description.
 */
public class ConfigurationReferenceTest {

    private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
    private static final Path REFERENCE = Path.of("docs/configuration-reference.md");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(retinue\\.[a-z0-9.-]+)");
    private static final Pattern LOOKUP = Pattern.compile("getProperty\\(\"(retinue\\.[a-z0-9.-]+[a-z0-9])\"");

    @Test
    void everySettingReadIsDescribedInTheMetadata() throws IOException {
        Map<String, JsonNode> properties = properties();
        assertThat(properties.values()).allSatisfy(property -> assertThat(property.path("description").asString(""))
            .as("description of %s", property.get("name").asString()).isNotBlank());
        Set<String> read = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                String text = Files.readString(source);
                collect(PLACEHOLDER.matcher(text), read);
                collect(LOOKUP.matcher(text), read);
            }
        }
        flatten(YAMLMapper.builder().build().readTree(Path.of("src/main/resources/application.yaml").toFile())
            .path("retinue"), "retinue", read);
        assertThat(read).isNotEmpty().allSatisfy(name -> assertThat(described(name, properties))
            .as("%s is in additional-spring-configuration-metadata.json", name).isTrue());
    }

    @Test
    void everyEnvironmentVariableOfRetinuesOwnIsOnTheConfigurationPage() throws IOException {
        Set<String> variables = new TreeSet<>();
        collect(Pattern.compile("\\$\\{(RETINUE_[A-Z_]+)").matcher(
                Files.readString(Path.of("src/main/resources/application.yaml"))), variables);
        String page = Files.readString(Path.of("docs/configuration.md"));
        assertThat(variables).isNotEmpty().allSatisfy(variable -> assertThat(page).contains("`" + variable + "`"));
    }

    @Test
    void theReferencePageIsWhatTheMetadataGives() throws IOException {
        String page = render(properties());
        if (Boolean.getBoolean("configuration.reference.write")) {
            Files.writeString(REFERENCE, page, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(REFERENCE) ? Files.readString(REFERENCE) : "")
            .as("%s is generated: run ./mvnw test -Dtest=ConfigurationReferenceTest -Dconfiguration.reference.write=true",
                    REFERENCE)
            .isEqualTo(page);
    }

    /**
     * The environment variables that give a setting: each {@code retinue.*} setting's relaxed form (capitals, dots as
     * underscores, no dashes) and the names {@code application.yaml} reads itself ({@code ${RETINUE_DB_URL:…}}).
     */
    public static Set<String> environmentVariables() throws IOException {
        Set<String> variables = new TreeSet<>();
        properties().keySet().forEach(name -> variables.add(name.toUpperCase(Locale.ROOT).replace('.', '_')
            .replace("-", "")));
        collect(Pattern.compile("\\$\\{(RETINUE_[A-Z_]+)").matcher(
                Files.readString(Path.of("src/main/resources/application.yaml"))), variables);
        return variables;
    }

    static String render(Map<String, JsonNode> properties) {
        Map<String, List<JsonNode>> groups = new TreeMap<>();
        properties.forEach((name, property) -> {
            String[] parts = name.split("\\.");
            String group = parts.length > 2 ? parts[0] + "." + parts[1] : "retinue";
            groups.computeIfAbsent(group, key -> new ArrayList<>()).add(property);
        });
        StringBuilder page = new StringBuilder("""
                # Configuration reference

                Every `retinue.*` setting, its environment variable, type, default and meaning. This page is generated from
                the configuration metadata the build writes (do not edit it: change the description in the code or in
                `src/main/resources/META-INF/additional-spring-configuration-metadata.json` and run
                `./mvnw test -Dtest=ConfigurationReferenceTest -Dconfiguration.reference.write=true`). How settings are given
                and which wins, the environment variables of the database and server, and the settings of Spring and the JVM
                Retinue relies on are in [configuration](configuration.md).

                A setting's environment variable is its name in capitals with dots as underscores and without dashes; settings
                that are maps or lists of objects (marked `map` or `list of objects`) are easier to give in an `application.yaml`.
                """);
        groups.forEach((group, members) -> {
            page.append("\n## `").append(group).append(".*`\n\n");
            page.append("| Setting | Environment variable | Type | Default | Meaning |\n|---|---|---|---|---|\n");
            for (JsonNode property : members) {
                String name = property.get("name").asString();
                String type = type(property.path("type").asString(""));
                String variable = type.equals("map") || type.equals("list of objects") ? ""
                        : "`" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", "") + "`";
                String fallback = property.has("defaultValue") ? "`" + value(property.get("defaultValue")) + "`" : "";
                page.append("| `").append(name).append("` | ").append(variable).append(" | ").append(type)
                    .append(" | ").append(fallback).append(" | ")
                    .append(property.get("description").asString().replace("|", "\\|").replace("\n", " "))
                    .append(" |\n");
            }
        });
        return page.toString();
    }

    private static String type(String type) {
        if (type.startsWith("java.util.Map")) {
            return "map";
        }
        if (type.startsWith("java.util.List<java.lang.String>")) {
            return "list";
        }
        if (type.startsWith("java.util.List")) {
            return "list of objects";
        }
        return switch (type) {
            case "java.time.Duration" -> "duration";
            case "java.lang.Integer", "java.lang.Long" -> "number";
            case "java.lang.Boolean" -> "boolean";
            case "java.lang.String" -> "text";
            case "" -> "map";
            default -> "text";
        };
    }

    private static String value(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asString()));
            return String.join(",", items);
        }
        return value.asString();
    }

    /** The {@code retinue.*} properties of this build's metadata, by name. */
    public static Map<String, JsonNode> properties() throws IOException {
        assertThat(METADATA).as("the metadata the build writes (compile first)").exists();
        Map<String, JsonNode> properties = new TreeMap<>();
        for (JsonNode property : JsonMapper.builder().build().readTree(METADATA.toFile()).get("properties")) {
            String name = property.get("name").asString();
            if (name.startsWith("retinue.")) {
                properties.merge(name, property, (first, second) -> first);
            }
        }
        return properties;
    }

    /** Named in the metadata, or under a setting that is a map or a list of objects. */
    private static boolean described(String name, Map<String, JsonNode> properties) {
        if (properties.containsKey(name)) {
            return true;
        }
        return properties.entrySet().stream().anyMatch(entry -> name.startsWith(entry.getKey() + ".")
                && Set.of("map", "list of objects").contains(type(entry.getValue().path("type").asString(""))));
    }

    private static void collect(Matcher matcher, Set<String> names) {
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
    }

    private static void flatten(JsonNode node, String path, Set<String> names) {
        if (node.isObject()) {
            node.properties().forEach(entry -> flatten(entry.getValue(), path + "." + entry.getKey(), names));
        }
        else if (!node.isMissingNode()) {
            names.add(path);
        }
    }
}
