package io.retinue.tools.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.ClosedChannelException;

import org.junit.jupiter.api.Test;

class ConnectionFailuresTest {

    @Test
    void namesTheReasonEvenWhenTheClientGaveNoMessage() {
        // The JDK's client refuses with a ConnectException without a message ("cannot reach host: null" before).
        assertThat(ConnectionFailures.reason(new ConnectException(), "?")).isEqualTo("the connection was refused");
        assertThat(ConnectionFailures.reason(new IOException(new ClosedChannelException().initCause(
                new ConnectException())), "?")).isEqualTo("the connection was refused");
        assertThat(ConnectionFailures.reason(new HttpConnectTimeoutException("HTTP connect timed out"), "?"))
            .isEqualTo("it did not answer in time");
        assertThat(ConnectionFailures.reason(new IOException(new UnknownHostException("x.invalid")), "?"))
            .isEqualTo("its host name is not known");
        assertThat(ConnectionFailures.reason(new IOException("reset"), "otherwise")).isEqualTo("otherwise");
    }
}
