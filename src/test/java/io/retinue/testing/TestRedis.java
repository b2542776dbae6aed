package io.retinue.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assumptions;

/**
 * The machine's Redis (127.0.0.1:6379 unless RETINUE_TEST_REDIS_PORT says otherwise). Tests that need it are skipped
 * without it, except under {@code CI=true}, where they fail.
 */
public final class TestRedis {

    public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("RETINUE_TEST_REDIS_PORT", "6379"));

    private TestRedis() {
    }

    public static void require() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.read(reply);
            if (read < 5 || !new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                throw new IOException("unexpected reply to PING");
            }
        }
        catch (IOException ex) {
            String reason = "Redis on 127.0.0.1:" + PORT + " cannot be reached (" + ex.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("Redis is required under CI=true but " + reason);
            }
            Assumptions.abort(reason);
        }
    }
}
