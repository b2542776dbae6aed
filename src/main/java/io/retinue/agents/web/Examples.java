package io.retinue.agents.web;

/** Request examples shown in the OpenAPI document and Swagger UI. */
final class Examples {

    static final String CONFIG = "{\"model\": {\"provider\": \"demo\", \"name\": \"demo-echo\", "
            + "\"parameters\": {\"temperature\": 0.2, \"maxOutputTokens\": 512}}, "
            + "\"instructions\": {\"system\": \"You are the support agent of {{company}}. Answer briefly.\", "
            + "\"variables\": [{\"name\": \"company\", \"required\": true}]}, "
            + "\"tools\": [{\"name\": \"builtin.clock\"}], "
            + "\"limits\": {\"maxSteps\": 8, \"maxTokensPerRun\": 20000, \"runTimeoutSeconds\": 120}, "
            + "\"context\": {\"windowTokens\": 8000, \"summarize\": true}, "
            + "\"responseFormat\": {\"type\": \"text\"}, \"metadata\": {\"owner\": \"support-team\"}}";

    static final String CREATE = "{\"slug\": \"support-bot\", \"name\": \"Support bot\", "
            + "\"description\": \"Answers customer questions\", \"labels\": {\"team\": \"support\"}, "
            + "\"config\": " + CONFIG + "}";

    static final String VERSION = "{\"config\": " + CONFIG + ", \"note\": \"Friendlier tone\"}";

    static final String UPDATE = "{\"description\": \"Answers customer questions in English and German\", "
            + "\"labels\": {\"team\": \"support\", \"tier\": \"gold\"}}";

    static final String DOCUMENT_YAML = """
            apiVersion: retinue.dev/v1
            kind: Agent
            metadata:
              slug: support-bot
              name: Support bot
              labels: { team: support }
            liveVersion: 1
            versions:
              - version: 1
                status: published
                config:
                  model: { provider: demo, name: demo-echo }
                  instructions: { system: You are a helpful support agent. }
            """;

    private Examples() {
    }
}
