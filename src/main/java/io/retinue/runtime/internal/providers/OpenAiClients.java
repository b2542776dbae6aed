package io.retinue.runtime.internal.providers;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.OpenAIClientAsyncImpl;
import com.openai.core.ClientOptions;
import com.openai.core.ObjectMappers;
import com.openai.core.Timeout;

/**
 * Builds the Spring AI model of an OpenAI-compatible connection with the client set for many concurrent runs. Left to
 * itself the client lets 64 calls per host be in flight (OkHttp's default), keeps 5 connections for later calls and
 * reads each stream on a platform thread; here calls and streams run on virtual threads, up to
 * {@code maxConcurrentCalls} at once, so thousands of streaming runs do not wait behind each other for a slot, and
 * connections are kept for as many calls as are usually in flight.
 */
final class OpenAiClients {

    private static final ExecutorService VIRTUAL = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("model-call-", 0).factory());

    private static final Duration CONNECT = Duration.ofSeconds(10);

    /** Connections kept open for the next calls: enough for as many calls as an instance usually has in flight. */
    private static final int IDLE_CONNECTIONS = 512;

    /**
     * The client's own JSON mapper with buffers shared between threads. Jackson 2 keeps its read and write buffers per
     * thread by default; every model call runs on a new virtual thread, so each one allocated them afresh — about 8 %
     * of all the memory a one-step run allocated.
     */
    static final JsonMapper JSON = sharedBuffers(ObjectMappers.jsonMapper());

    /** How long an unused connection is kept (OkHttp's default). */
    private static final Duration KEEP_ALIVE = Duration.ofMinutes(5);

    private OpenAiClients() {
    }

    static OpenAiChatModel model(String baseUrl, String key, Duration timeout, int maxConcurrentCalls) {
        OpenAiChatOptions options = OpenAiChatOptions.builder()
            .baseUrl(baseUrl)
            .apiKey(key)
            .timeout(timeout)
            .maxRetries(0)
            .build();
        // The timeout bounds the wait for the next bytes, not the whole call: a streamed answer may take minutes, and
        // the run's own deadline bounds it as a whole.
        Timeout between = Timeout.builder()
            .connect(timeout.compareTo(CONNECT) < 0 ? timeout : CONNECT)
            .read(timeout)
            .write(timeout)
            .request(Duration.ZERO)
            .build();
        // OkHttp keeps 5 idle connections per client by default: with more calls than that in flight, each call past
        // the fifth opened a connection of its own and closed it after (a TCP handshake per model call).
        SpringAiOpenAiHttpClient http = SpringAiOpenAiHttpClient.builder()
            .maxIdleConnections(Math.min(maxConcurrentCalls, IDLE_CONNECTIONS))
            .keepAliveDuration(KEEP_ALIVE)
            .timeout(between)
            .dispatcherExecutorService(VIRTUAL)
            .build();
        http.getOkHttpClient().dispatcher().setMaxRequests(maxConcurrentCalls);
        http.getOkHttpClient().dispatcher().setMaxRequestsPerHost(maxConcurrentCalls);
        OpenAIClientAsync client = new OpenAIClientAsyncImpl(ClientOptions.builder()
            .httpClient(http)
            .baseUrl(baseUrl)
            .apiKey(key)
            .timeout(between)
            .maxRetries(0)
            .streamHandlerExecutor(VIRTUAL)
            .jsonMapper(JSON)
            .build());
        return OpenAiChatModel.builder().options(options).openAiClientAsync(client).openAiClient(client.sync()).build();
    }

    private static JsonMapper sharedBuffers(JsonMapper mapper) {
        JsonMapper copy = mapper.copy();
        copy.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
        return copy;
    }
}
