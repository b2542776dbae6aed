package io.retinue.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.retinue.shared.config.ConfigurationReferenceTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Compose files and the Kubernetes overlays under {@code deploy/}, checked by the tools operators use on them:
 * a Compose client's {@code config} (Debian's {@code docker-compose}, or {@code docker compose} where it is there),
 * {@code kubectl kustomize}, and the Kubernetes API schemas (kubernetes-models, {@code deploy/kubernetes/validate}),
 * then read for what the issue asked of them: non-root pods with probes and resources, secrets by reference, only
 * the gateway open to everyone. Without a tool the test is skipped, except under {@code CI=true}, where it fails.
 */
class DeploymentManifestsIT {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** A variable set in a Compose file's environment, a ConfigMap's data, or a container's env (not interpolated). */
    private static final Pattern VARIABLE = Pattern.compile("(?m)^\\s*(?:- name: )?(RETINUE_[A-Z_]+)(?:[:=]|$)");

    private static final Map<String, String> COMPOSE_SETTINGS = Map.of("RETINUE_MASTER_KEY",
            "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=", "POSTGRES_PASSWORD", "p", "RABBITMQ_PASSWORD", "r");

    @Test
    void composeFilesAreValidAndRefuseToStartWithoutTheirSecrets() throws Exception {
        List<String> compose = composeClient();
        for (String file : List.of("deploy/compose/monolith.yaml", "deploy/compose/split.yaml")) {
            Result valid = run(concat(compose, "-f", file, "config"), COMPOSE_SETTINGS, null);
            assertThat(valid.exit()).as("%s: %s", file, valid.output()).isZero();
            JsonNode services = YAML.readTree(valid.output()).get("services");
            for (String service : List.of("postgres", "redis", "rabbitmq")) {
                assertThat(services.has(service)).as("%s has %s", file, service).isTrue();
                assertThat(services.get(service).has("healthcheck")).isTrue();
            }

            Map<String, String> withoutKey = new HashMap<>(COMPOSE_SETTINGS);
            withoutKey.remove("RETINUE_MASTER_KEY");
            Result refused = run(concat(compose, "-f", file, "config", "-q"), withoutKey, null);
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.output()).contains("set RETINUE_MASTER_KEY");
        }

        JsonNode split = YAML.readTree(run(concat(compose, "-f", "deploy/compose/split.yaml", "config"),
                COMPOSE_SETTINGS, null).output()).get("services");
        for (String role : List.of("gateway", "agents", "runtime", "tools")) {
            JsonNode environment = split.get(role).get("environment");
            assertThat(environment.get("RETINUE_ROLE").asString()).isEqualTo(role);
            assertThat(environment.get("SPRING_PROFILES_ACTIVE").asString()).isEqualTo("production");
            assertThat(environment.get("RETINUE_DB_URL").asString()).endsWith("/retinue_" + role);
            assertThat(split.get(role).has("ports")).as("%s is published", role).isEqualTo(role.equals("gateway"));
        }
    }

    @Test
    void kubernetesOverlaysRenderToValidObjects() throws Exception {
        Path validator = Path.of("deploy/kubernetes/validate");
        require(Files.isDirectory(validator.resolve("node_modules/kubernetes-models")),
                "deploy/kubernetes/validate has no node_modules (npm ci there; .ci/run does)");
        require(onPath("node"), "node is not installed");
        for (String overlay : List.of("monolith", "split")) {
            String rendered = kustomize(overlay);
            Result checked = run(List.of("node", validator.resolve("validate.mjs").toString()), Map.of(), rendered);
            assertThat(checked.exit()).as("%s: %s", overlay, checked.output()).isZero();
        }
    }

    @Test
    void kubernetesOverlaysHaveNoFieldTheApiDoesNotKnow() throws Exception {
        for (String overlay : List.of("monolith", "split")) {
            List<String> unknown = new ArrayList<>();
            for (JsonNode object : objects(kustomize(overlay))) {
                unknown.addAll(KubernetesFields.unknown(object.toString()));
            }
            assertThat(unknown).as("fields of %s the Kubernetes API does not have", overlay).isEmpty();
        }
        // The check sees a misspelt field where the schemas let it through.
        JsonNode deployment = only(objects(kustomize("monolith")), "Deployment");
        ((tools.jackson.databind.node.ObjectNode) deployment.at("/spec/template/spec/containers/0/livenessProbe"))
            .put("periodSecondz", 10);
        assertThat(KubernetesFields.unknown(deployment.toString()))
            .containsExactly("Deployment retinue: spec.template.spec.containers[0].livenessProbe.periodSecondz");
    }

    @Test
    void monolithPodsRunHardenedWithSecretsByReference() throws Exception {
        List<JsonNode> objects = objects(kustomize("monolith"));
        assertThat(kinds(objects)).containsExactlyInAnyOrder("ConfigMap", "Service", "Deployment",
                "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy");
        JsonNode deployment = only(objects, "Deployment");
        hardened(deployment);
        assertThat(only(objects, "HorizontalPodAutoscaler").at("/spec/scaleTargetRef/name").asString())
            .isEqualTo("retinue");
        assertThat(only(objects, "ConfigMap").at("/data/RETINUE_DB_URL").asString()).startsWith("jdbc:postgresql:");
        assertThat(only(objects, "ConfigMap").at("/data/SPRING_PROFILES_ACTIVE").asString()).isEqualTo("production");
    }

    @Test
    void splitServicesAreReachedOnlyThroughTheGatewayAndThePlatformsOwnPods() throws Exception {
        List<JsonNode> objects = objects(kustomize("split"));
        List<JsonNode> deployments = objects.stream().filter(o -> o.get("kind").asString().equals("Deployment")).toList();
        assertThat(deployments).extracting(d -> d.at("/metadata/name").asString())
            .containsExactlyInAnyOrder("retinue-gateway", "retinue-agents", "retinue-runtime", "retinue-tools");
        for (JsonNode deployment : deployments) {
            hardened(deployment);
            String role = deployment.at("/metadata/labels/app.kubernetes.io~1component").asString();
            assertThat(deployment.at("/metadata/name").asString()).isEqualTo("retinue-" + role);
            List<String> configMaps = new ArrayList<>();
            deployment.at("/spec/template/spec/containers/0/envFrom")
                .forEach(from -> configMaps.add(from.at("/configMapRef/name").asString()));
            JsonNode config = objects.stream().filter(o -> o.get("kind").asString().equals("ConfigMap")
                    && configMaps.contains(o.at("/metadata/name").asString()) && o.at("/data").has("RETINUE_ROLE"))
                .findFirst().orElseThrow();
            assertThat(config.at("/data/RETINUE_ROLE").asString()).isEqualTo(role);
            assertThat(config.at("/data/RETINUE_DB_URL").asString()).endsWith("/retinue_" + role);
            assertThat(objects.stream().anyMatch(o -> configMaps.contains(o.at("/metadata/name").asString())
                    && o.at("/data").has("RETINUE_SERVICES_AGENTS_URL")
                    && o.at("/data/SPRING_PROFILES_ACTIVE").asString().equals("production"))).isTrue();
        }
        assertThat(only(objects, "HorizontalPodAutoscaler").at("/spec/scaleTargetRef/name").asString())
            .isEqualTo("retinue-runtime");
        JsonNode services = objects.stream().filter(o -> o.at("/metadata/name").asString().equals("retinue-services"))
            .filter(o -> o.get("kind").asString().equals("NetworkPolicy")).findFirst().orElseThrow();
        // Only the platform's own pods, and the monitoring namespace's scraper, have an ingress rule on the services.
        assertThat(services.at("/spec/ingress")).hasSize(2);
        assertThat(services.at("/spec/ingress/0/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asString())
            .isEqualTo("retinue");
        assertThat(services.at("/spec/ingress/1/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
            .asString()).isEqualTo("monitoring");
        assertThat(services.at("/spec/podSelector/matchExpressions/1/values").toString())
            .doesNotContain("gateway");
    }

    @Test
    void everyRetinueVariableTheManifestsSetIsASetting() throws Exception {
        Set<String> known = ConfigurationReferenceTest.environmentVariables();
        Set<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("deploy/compose"), 1)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).toList()) {
                collect(Files.readString(file), named);
            }
        }
        for (String overlay : List.of("monolith", "split")) {
            collect(kustomize(overlay), named);
        }
        // A misspelt variable would be ignored without a word; each one named must give a setting.
        assertThat(named).isNotEmpty().allSatisfy(variable -> assertThat(known).as("%s is a setting", variable)
            .contains(variable));
    }

    private static void collect(String text, Set<String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        while (matcher.find()) {
            variables.add(matcher.group(1));
        }
    }

    private static void hardened(JsonNode deployment) {
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(container.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();
        for (JsonNode variable : container.get("env")) {
            assertThat(variable.has("value")).as("%s is given by reference", variable.get("name")).isFalse();
            assertThat(variable.at("/valueFrom/secretKeyRef/name").asString()).isEqualTo("retinue-secrets");
        }
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scrape").asString())
            .isEqualTo("true");
    }

    private static String kustomize(String overlay) throws Exception {
        require(onPath("kubectl"), "kubectl is not installed (Debian's kubernetes-client)");
        Result rendered = run(List.of("kubectl", "kustomize", "deploy/kubernetes/overlays/" + overlay), Map.of(), null);
        assertThat(rendered.exit()).as("kubectl kustomize %s: %s", overlay, rendered.output()).isZero();
        return rendered.output();
    }

    private static List<JsonNode> objects(String yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            documents.forEachRemaining(document -> {
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    objects.add(document);
                }
            });
        }
        return objects;
    }

    private static List<String> kinds(List<JsonNode> objects) {
        return objects.stream().map(o -> o.get("kind").asString()).toList();
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> o.get("kind").asString().equals(kind)).toList();
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    /** Docker's Compose plugin where it is installed, else the standalone client (Debian's docker-compose). */
    private static List<String> composeClient() throws Exception {
        if (onPath("docker") && run(List.of("docker", "compose", "version"), Map.of(), null).exit() == 0) {
            return List.of("docker", "compose");
        }
        require(onPath("docker-compose"), "no Compose client (docker compose, or Debian's docker-compose)");
        return List.of("docker-compose");
    }

    private static void require(boolean present, String missing) {
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(missing + "; required under CI=true");
            }
            Assumptions.abort(missing);
        }
    }

    private static boolean onPath(String command) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, command))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> environment, String input) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The settings the Compose files interpolate come from the test alone, not from whoever runs it.
        builder.environment().keySet().removeIf(name -> name.startsWith("RETINUE_") || name.startsWith("POSTGRES_")
                || name.startsWith("RABBITMQ_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (input != null) {
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        else {
            process.getOutputStream().close();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Result(process.exitValue(), output);
    }
}
