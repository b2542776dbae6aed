package io.retinue.testing;

import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

/** Request bodies for agents, valid unless a test changes them. */
public final class Agents {

    private Agents() {
    }

    public static ObjectNode config(String model, double temperature) {
        return (ObjectNode) Api.JSON.valueToTree(Map.of(
                "model", Map.of("provider", "demo", "name", model, "parameters", Map.of("temperature", temperature)),
                "instructions", Map.of("system", "You help customers of {{company}}.", "variables",
                        java.util.List.of(Map.of("name", "company", "required", true))),
                "tools", java.util.List.of(Map.of("name", "builtin.clock"))));
    }

    public static ObjectNode create(String slug, Map<String, String> labels) {
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("slug", slug);
        body.put("name", "Agent " + slug);
        body.put("description", "Helps with " + slug);
        body.set("labels", Api.JSON.valueToTree(labels));
        body.set("config", config("demo-echo", 0.2));
        return body;
    }

    public static ObjectNode version(ObjectNode config, String note) {
        ObjectNode body = Api.JSON.createObjectNode();
        body.set("config", config);
        body.put("note", note);
        return body;
    }
}
