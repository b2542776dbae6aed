package io.retinue.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real service, so a test can make the service "go away" (stop the relay, cutting
 * every connection) and "come back" (start it again on the same port) without touching the service itself — or, while
 * it listens, make it {@link #hang()} (accept and never answer) or {@link #breakOffAfter(int) break off} answers
 * part-way — and {@link #sent() show} the bytes that went through it, to check what a client really sent.
 */
public final class TcpProxy implements AutoCloseable {

    /** How much of each direction is kept for {@link #sent()} and {@link #answered()}. */
    private static final int SEEN_BYTES = 1 << 20;

    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean hang;
    private volatile int answerBytes = -1;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final ByteArrayOutputStream answered = new ByteArrayOutputStream();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public int port() {
        return port;
    }

    /** Listens (again); no-op while listening. */
    public synchronized TcpProxy start() {
        if (server != null && !server.isClosed()) {
            return this;
        }
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = listening;
            Thread.ofVirtual().start(() -> accept(listening));
            return this;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** New connections are accepted and read, but never answered (until {@link #relay()}). */
    public TcpProxy hang() {
        hang = true;
        return this;
    }

    /** New connections get only the first {@code bytes} of each answer, then are cut (until {@link #relay()}). */
    public TcpProxy breakOffAfter(int bytes) {
        answerBytes = bytes;
        return this;
    }

    /** New connections are relayed faithfully again. */
    public TcpProxy relay() {
        hang = false;
        answerBytes = -1;
        return this;
    }

    /** What clients sent through the relay so far (ISO-8859-1: HTTP heads read as they are). */
    public String sent() {
        synchronized (sent) {
            return sent.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** What the service answered through the relay so far. */
    public String answered() {
        synchronized (answered) {
            return answered.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** How many connections clients opened through the relay so far. */
    public int connections() {
        return connections.get();
    }

    /** Stops listening and cuts every open connection. */
    public synchronized void stop() {
        close(server);
        sockets.forEach(TcpProxy::close);
        sockets.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                connections.incrementAndGet();
                sockets.add(client);
                if (hang) {
                    Thread.ofVirtual().start(() -> drain(client));
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(upstream);
                int limit = answerBytes;
                Thread.ofVirtual().start(() -> pipe(client, upstream, sent));
                Thread.ofVirtual().start(() -> {
                    if (limit < 0) {
                        pipe(upstream, client, answered);
                    }
                    else {
                        pipePart(upstream, client, limit);
                    }
                });
            }
            catch (IOException ex) {
                return;
            }
        }
    }

    private static void pipe(Socket from, Socket to, ByteArrayOutputStream seen) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            for (int read; (read = in.read(buffer)) >= 0;) {
                synchronized (seen) {
                    if (seen.size() < SEEN_BYTES) {
                        seen.write(buffer, 0, read);
                    }
                }
                out.write(buffer, 0, read);
            }
        }
        catch (IOException ex) {
            // a cut connection ends the pipe
        }
        finally {
            close(from);
            close(to);
        }
    }

    private static void drain(Socket client) {
        try (InputStream in = client.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        catch (IOException ex) {
            // cut by stop()
        }
    }

    private static void pipePart(Socket from, Socket to, int limit) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            out.write(in.readNBytes(limit));
            out.flush();
        }
        catch (IOException ex) {
            // a cut connection ends the pipe
        }
        finally {
            close(from);
            close(to);
        }
    }

    private static void close(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        }
        catch (Exception ex) {
            // already closed
        }
    }
}
