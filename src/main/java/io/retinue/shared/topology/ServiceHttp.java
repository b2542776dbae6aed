package io.retinue.shared.topology;

import java.io.IOException;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.stereotype.Component;

/**
 * The one HTTP client of a process for its calls to other Retinue processes: the gateway's routes and the module APIs
 * of modules run elsewhere. Apache HttpClient's classic client exchanges on the calling (virtual) thread — the JDK's
 * client handed every exchange between its selector and executor threads, a fifth of the gateway's CPU per proxied
 * run. Kept-alive connections (as many as {@code retinue.services.max-connections}: an open event stream holds one);
 * connected within 2 s; no read timeout of its own (streams stay open; module calls are timed by the outbound
 * guard); no redirects, retries, cookies or decompression — what a service answers reaches the caller as it is.
 */
@Component
public class ServiceHttp implements AutoCloseable {

    private final CloseableHttpClient client;
    private final HttpComponentsClientHttpRequestFactory requests;

    ServiceHttp(@Value("${retinue.services.max-connections:10000}") int maxConnections) {
        this.client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(Timeout.DISABLED)
                    .build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.ofSeconds(2))
                    .setSocketTimeout(Timeout.DISABLED)
                    // A connection the other process closed while it was idle is found out before it is used.
                    .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                    .build())
                .build())
            .setDefaultRequestConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.ofSeconds(2))
                .setResponseTimeout(Timeout.DISABLED)
                .build())
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableContentCompression()
            .disableCookieManagement()
            .disableAuthCaching()
            .build();
        this.requests = new HttpComponentsClientHttpRequestFactory(client);
    }

    /** Requests on the pooled client, for a {@code RestClient}. */
    public ClientHttpRequestFactory requests() {
        return requests;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
