package io.retinue.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback that answers as a test tells it: {@code /ok}, {@code /fail} (500), {@code /slow}
 * (after 2 s) and {@code /flaky} (500 until it has failed {@code flakyFailures} times). It counts the requests.
 */
public final class TestUpstream implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger flakyLeft = new AtomicInteger();
    private volatile String lastTraceparent;

    public TestUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            lastTraceparent = exchange.getRequestHeaders().getFirst("traceparent");
            String path = exchange.getRequestURI().getPath();
            int status = switch (path) {
                case "/fail" -> 500;
                case "/flaky" -> flakyLeft.getAndDecrement() > 0 ? 500 : 200;
                default -> 200;
            };
            if (path.equals("/slow")) {
                try {
                    Thread.sleep(2000);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("{\"path\":\"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int requests() {
        return requests.get();
    }

    public String lastTraceparent() {
        return lastTraceparent;
    }

    public void failNext(int times) {
        flakyLeft.set(times);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
