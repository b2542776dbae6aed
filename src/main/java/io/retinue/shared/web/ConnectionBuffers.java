package io.retinue.shared.web;

import org.apache.coyote.http11.Http11NioProtocol;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Smaller buffers per connection: a streamed run holds its connection for minutes while writing events of a few
 * hundred bytes, and Tomcat's 8 KiB socket buffers and 8 K response buffers (bytes and chars) per connection were a
 * good part of what thousands of open streams cost. Larger bodies are simply read and written in more pieces (JSON
 * answers carry their length whatever their size, {@link JsonAnswers}).
 */
@Configuration(proxyBeanMethods = false)
class ConnectionBuffers {

    static final int SIZE = 2048;

    @Bean
    TomcatConnectorCustomizer smallerSocketBuffers() {
        return connector -> {
            connector.setProperty("socket.appReadBufSize", String.valueOf(SIZE));
            connector.setProperty("socket.appWriteBufSize", String.valueOf(SIZE));
        };
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallerResponseBuffers() {
        return factory -> factory.setProtocol(SmallResponseBuffers.class.getName());
    }

    /** HTTP/1.1 whose responses start with a 2 KiB buffer (Tomcat sizes it from the protocol, and only AJP asks). */
    public static class SmallResponseBuffers extends Http11NioProtocol {

        @Override
        public int getDesiredBufferSize() {
            return SIZE;
        }
    }
}
