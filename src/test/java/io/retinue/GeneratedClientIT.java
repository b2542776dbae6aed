package io.retinue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.retinue.client.ApiClient;
import io.retinue.client.ApiException;
import io.retinue.client.api.AgentVersionsApi;
import io.retinue.client.api.AgentsApi;
import io.retinue.client.api.RunsApi;
import io.retinue.client.model.Agent;
import io.retinue.client.model.AgentConfig;
import io.retinue.client.model.AgentVersion;
import io.retinue.client.model.CreateAgentRequest;
import io.retinue.client.model.Instructions;
import io.retinue.client.model.Model;
import io.retinue.client.model.Parameters;
import io.retinue.client.model.Problem;
import io.retinue.client.model.RunRequest;
import io.retinue.client.model.RunView;
import io.retinue.testing.PlatformIT;

/**
 * The client a team generates from the OpenAPI document (the build generates it from src/main/resources/openapi/retinue-api.json
 * with openapi-generator's java/native library) compiles and works: an agent is made, published and run, the run read
 * back, and a problem arrives as the client's exception, with its type.
 */
class GeneratedClientIT extends PlatformIT {

    @Test
    void createsPublishesAndRunsAnAgentAndReadsAProblem() throws Exception {
        ObjectMapper json = ApiClient.createDefaultObjectMapper().registerModule(rawJsonAsText());
        ApiClient client = new ApiClient(HttpClient.newBuilder(), json, "http://localhost:" + port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + ADMIN_KEY));
        AgentsApi agents = new AgentsApi(client);
        AgentVersionsApi versions = new AgentVersionsApi(client);
        RunsApi runs = new RunsApi(client);

        String slug = "generated-client-" + Long.toString(System.nanoTime(), 36);
        Agent agent = agents.createAgent(new CreateAgentRequest().slug(slug)
            .name("Generated client")
            .labels(Map.of("made-by", "generated-client"))
            .config(new AgentConfig()
                .model(new Model().provider("demo").name("demo-echo").parameters(new Parameters().temperature(0.2)))
                .instructions(new Instructions().system("You repeat what you are told."))), null);
        assertThat(agent.getSlug()).isEqualTo(slug);

        AgentVersion published = versions.publishAgentVersion(agent.getSlug(), 1, null);
        assertThat(published.getLive()).isTrue();

        // POST /runs answers 201 (sync), 202 (async) or 200 as an event stream (mode=stream); the generator types a
        // method by its lowest success, the stream's text, so the sync run's JSON arrives as text to read here.
        String answered = runs.runAgent(new RunRequest().agent(agent.getSlug()).input("hello"), "sync");
        RunView ran = json.readValue(answered, RunView.class);
        assertThat(ran.getRun().getStatus()).isEqualTo("completed");

        RunView read = runs.getRun(ran.getRun().getId());
        assertThat(read.getRun().getOutput()).isEqualTo(ran.getRun().getOutput()).isNotBlank();
        assertThat(read.getSteps()).isNotEmpty();

        ApiException missing = catchThrowableOfType(ApiException.class, () -> agents.getAgent("no-such-agent", null));
        assertThat(missing.getCode()).isEqualTo(404);
        assertThat(missing.getResponseHeaders().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        Problem problem = json.readValue(missing.getResponseBody(), Problem.class);
        assertThat(problem.getType()).hasToString("https://retinue.dev/problems/not-found");
        assertThat(problem.getStatus()).isEqualTo(404);
        assertThat(List.of(problem.getRequestId())).doesNotContainNull();
    }

    /** Reads a JSON object or array where the generated code expects text, as its JSON text. */
    private static SimpleModule rawJsonAsText() {
        return new SimpleModule().addDeserializer(String.class, new StdDeserializer<String>(String.class) {
            @Override
            public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                return parser.currentToken().isStructStart() ? parser.readValueAsTree().toString()
                        : parser.getValueAsString();
            }
        });
    }
}
