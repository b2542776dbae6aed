package io.retinue.shared.web;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Smaller socket buffers per connection: a streamed run holds its connection for minutes while writing events of a
 * few hundred bytes, and Tomcat's 8 KiB read and write buffers per connection were a good part of what thousands of
 * open streams cost. Larger bodies are simply read and written in more pieces.
 */
@Configuration(proxyBeanMethods = false)
class ConnectionBuffers {

    static final String SIZE = "2048";

    @Bean
    TomcatConnectorCustomizer smallerSocketBuffers() {
        return connector -> {
            connector.setProperty("socket.appReadBufSize", SIZE);
            connector.setProperty("socket.appWriteBufSize", SIZE);
        };
    }
}
