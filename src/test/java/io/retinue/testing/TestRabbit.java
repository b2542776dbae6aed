package io.retinue.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.junit.jupiter.api.Assumptions;

/**
 * The machine's RabbitMQ (127.0.0.1:5672, guest/guest unless RETINUE_TEST_AMQP_PORT says otherwise). Tests that need
 * it are skipped without it, except under {@code CI=true}, where they fail.
 */
public final class TestRabbit {

    public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("RETINUE_TEST_AMQP_PORT", "5672"));

    private TestRabbit() {
    }

    public static void require() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 2000);
        }
        catch (IOException ex) {
            String reason = "RabbitMQ on 127.0.0.1:" + PORT + " cannot be reached (" + ex.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("RabbitMQ is required under CI=true but " + reason);
            }
            Assumptions.abort(reason);
        }
    }
}
