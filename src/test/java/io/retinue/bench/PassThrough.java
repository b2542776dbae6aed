package io.retinue.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The floor under the benchmark's latency figures: a server that does nothing but pass a model call through, built on
 * the platform's own stack (Spring Boot, Tomcat on virtual threads, Spring MVC, OkHttp with as many kept connections),
 * started as a process of its own. What it adds to the direct call is what one more HTTP hop through that stack costs
 * on this machine — before any authentication, run record or model abstraction — so the platform's figures can be
 * read as floor plus the platform's own work.
 * <p>
 * Its configuration is only what it imports here (no component scanning, none of the platform's settings), so that the
 * platform, scanning {@code io.retinue}, never picks it up.
 */
public final class PassThrough {

    /** The parts of the platform's stack it runs on. */
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class })
    static final class Stack {
    }

    private static final MediaType JSON = MediaType.APPLICATION_JSON;

    private final OkHttpClient client = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(512, 5, TimeUnit.MINUTES))
        .readTimeout(Duration.ofSeconds(30))
        .build();

    private final String upstream;

    private PassThrough(String upstream) {
        this.upstream = upstream;
    }

    /** Arguments: the port to listen on (0: any free one) and the model server's base URL ({@code …/v1}). */
    public static void main(String[] args) {
        PassThrough passThrough = new PassThrough(args[1]);
        SpringApplication application = new SpringApplication(Stack.class);
        application.setDefaultProperties(Map.of(
                // Not the platform's application.yaml, which is on the same class path.
                "spring.config.name", "pass-through",
                "server.port", args[0],
                "spring.threads.virtual.enabled", "true",
                "spring.main.banner-mode", "off",
                "logging.level.root", "warn"));
        application.addInitializers(context -> ((GenericApplicationContext) context).registerBean("passThroughRoutes",
                RouterFunction.class, passThrough::routes));
        var context = application.run();
        int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) context).getWebServer()
            .getPort();
        System.out.println("pass-through listening on " + port);
        System.out.flush();
    }

    private RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route().POST("/v1/chat/completions", this::forward).build();
    }

    private ServerResponse forward(ServerRequest request) throws Exception {
        Request.Builder call = new Request.Builder().url(upstream + "/chat/completions")
            .post(RequestBody.create(request.body(byte[].class), okhttp3.MediaType.get(JSON.toString())));
        String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            call.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        try (Response response = client.newCall(call.build()).execute()) {
            if (response.body() == null) {
                throw new IOException("no answer body");
            }
            return ServerResponse.status(response.code()).contentType(JSON).body(response.body().bytes());
        }
    }
}
