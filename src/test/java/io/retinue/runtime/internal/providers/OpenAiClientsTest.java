package io.retinue.runtime.internal.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

class OpenAiClientsTest {

    /** Every model call runs on a new virtual thread: a buffer kept per thread would never be used twice. */
    @Test
    void aModelCallOnAnotherThreadTakesTheBuffersAnEarlierCallGaveBack() throws InterruptedException {
        RecyclerPool<BufferRecycler> pool = OpenAiClients.JSON.getFactory()._getRecyclerPool();
        AtomicReference<BufferRecycler> first = new AtomicReference<>();
        AtomicReference<BufferRecycler> second = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            BufferRecycler buffers = pool.acquireAndLinkPooled();
            first.set(buffers);
            buffers.releaseToPool();
        }).join();
        Thread.ofVirtual().start(() -> second.set(pool.acquireAndLinkPooled())).join();
        assertThat(second.get()).isSameAs(first.get());
    }

    @Test
    void writesRequestsAsTheClientsOwnMapperDoes() throws Exception {
        ChatCompletionCreateParams.Body body = ChatCompletionCreateParams.builder()
            .model("demo-echo")
            .addUserMessage("hello")
            .maxCompletionTokens(5)
            .build()
            ._body();
        assertThat(OpenAiClients.JSON.writeValueAsString(body))
            .isEqualTo(ObjectMappers.jsonMapper().writeValueAsString(body))
            .contains("\"max_completion_tokens\":5");
    }
}
