package io.retinue.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * The fields of a Kubernetes object that its API does not have: the schema check (kubernetes-models) lets unknown
 * fields through, as the API server's non-strict decoding would drop them, so a misspelt field would pass unnoticed.
 * Each object is read into fabric8's model of its kind (as its Kubernetes client reads it), which keeps what it does
 * not know in {@code additionalProperties}; those are the fields reported, by path.
 */
final class KubernetesFields {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private static final Map<String, Class<?>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private KubernetesFields() {
    }

    /**
     * The unknown fields of one object given as JSON, by path, e.g.
     * {@code Deployment retinue: spec.template.spec.containers[0].livenessProbe.periodSecondz}.
     */
    static List<String> unknown(String json) throws Exception {
        Map<?, ?> raw = JSON.readValue(json, Map.class);
        String kind = raw.get("apiVersion") + "/" + raw.get("kind");
        Class<?> model = KINDS.get(kind);
        if (model == null) {
            return List.of(kind + ": a kind this check does not know");
        }
        List<String> found = new ArrayList<>();
        walk(KUBERNETES.unmarshal(json, model), "", found);
        String name = raw.get("kind") + " " + ((Map<?, ?>) raw.get("metadata")).get("name");
        return found.stream().map(path -> name + ": " + path).toList();
    }

    private static void walk(Object value, String path, List<String> found) throws IllegalAccessException {
        if (value instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                walk(item, path + "[" + index++ + "]", found);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            for (Map.Entry<?, ?> entry : entries.entrySet()) {
                walk(entry.getValue(), path + "." + entry.getKey(), found);
            }
            return;
        }
        if (value == null || !value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Class<?> type = value.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                if (field.getName().equals("additionalProperties")) {
                    field.setAccessible(true);
                    ((Map<?, ?>) field.get(value)).keySet().forEach(key -> found.add(join(path, key.toString())));
                }
                else if (field.isAnnotationPresent(JsonProperty.class)) {
                    field.setAccessible(true);
                    walk(field.get(value), join(path, field.getAnnotation(JsonProperty.class).value()), found);
                }
            }
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
