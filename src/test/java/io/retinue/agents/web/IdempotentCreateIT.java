package io.retinue.agents.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.node.ObjectNode;

class IdempotentCreateIT extends PlatformIT {

    @Test
    void repeatingACreateWithTheSameKeyReturnsTheSameAgent() {
        String key = java.util.UUID.randomUUID().toString();
        ObjectNode body = Agents.create(uniqueSlug("idem"), Map.of());

        Reply first = api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(body).send();
        Reply second = api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(body).send();

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(first.header("Idempotent-Replayed")).contains("false");
        assertThat(second.header("Idempotent-Replayed")).contains("true");
    }

    @Test
    void reusingAKeyForADifferentRequestIsRefused() {
        String key = java.util.UUID.randomUUID().toString();
        api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(Agents.create(uniqueSlug("a"), Map.of())).send();

        Reply reused = api.call("POST", "/api/v1/agents").header("Idempotency-Key", key)
            .json(Agents.create(uniqueSlug("b"), Map.of())).send();

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().get("type").asString()).isEqualTo("https://retinue.dev/problems/idempotency-key-reused");
    }

    @Test
    void concurrentCreatesWithOneKeyMakeOneAgent() throws Exception {
        String key = java.util.UUID.randomUUID().toString();
        ObjectNode body = Agents.create(uniqueSlug("race"), Map.of());
        Callable<Reply> create = () -> api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(body).send();

        List<Reply> replies;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Reply>> futures = IntStream.range(0, 8).mapToObj(i -> pool.submit(create)).toList();
            replies = new java.util.ArrayList<>();
            for (Future<Reply> future : futures) {
                replies.add(future.get());
            }
        }

        assertThat(replies).extracting(Reply::status).as(replies.toString()).containsOnly(201);
        assertThat(replies).extracting(reply -> reply.json().get("id").asString()).containsOnly(replies.getFirst().json().get("id").asString());
        assertThat(replies).filteredOn(reply -> reply.header("Idempotent-Replayed").orElseThrow().equals("false")).hasSize(1);
    }

    @Test
    void aFailedCreateLeavesNothingBehind() {
        String key = java.util.UUID.randomUUID().toString();
        String slug = uniqueSlug("clean");
        ObjectNode invalid = Agents.create(slug, Map.of());
        ((ObjectNode) invalid.get("config").get("model")).put("provider", "nope");

        assertThat(api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(invalid).send().status()).isEqualTo(422);
        assertThat(api.get("/api/v1/agents/" + slug).status()).isEqualTo(404);

        Reply retried = api.call("POST", "/api/v1/agents").header("Idempotency-Key", key).json(Agents.create(slug, Map.of())).send();
        assertThat(retried.status()).as("the key was not consumed by the failed attempt").isEqualTo(201);
    }
}
