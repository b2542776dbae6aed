package io.retinue.bench;

import java.util.Map;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
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

/**
 * The floor under the benchmark's latency figures: a server that does nothing but pass a model call through, built on
 * the platform's own stack (Spring Boot, Tomcat on virtual threads, Spring MVC, and the Apache HTTP client the
 * platform's OpenAI-compatible calls go through, keeping as many connections), started as a process of its own. What
 * it adds to the direct call is what one more HTTP hop through that stack costs on this machine — before any authentication, run record or model abstraction — so the platform's figures can be
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

    private final CloseableHttpClient client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(Integer.MAX_VALUE)
            .setMaxConnPerRoute(Integer.MAX_VALUE)
            .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
            .build())
        .disableAutomaticRetries()
        .disableContentCompression()
        .disableCookieManagement()
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
        HttpPost call = new HttpPost(upstream + "/chat/completions");
        call.setEntity(new ByteArrayEntity(request.body(byte[].class), ContentType.APPLICATION_JSON));
        String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            call.setHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return client.execute(call, response -> ServerResponse.status(response.getCode())
            .contentType(JSON)
            .body(EntityUtils.toByteArray(response.getEntity())));
    }
}
