package io.retinue.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * HTTP/1.1 over a plain socket, for requests a client library refuses or repairs: malformed %-escapes, '\' or over-long
 * request lines. One request per connection.
 */
public final class RawHttp {

    private final int port;

    public RawHttp(int port) {
        this.port = port;
    }

    /** An answer as received (body undecoded if chunked; its start is enough to judge it). */
    public record Answer(int status, String contentType, String body) {

        public JsonNode json() {
            int start = body.indexOf('{');
            return Api.JSON.readTree(start < 0 ? body : body.substring(start, body.lastIndexOf('}') + 1));
        }
    }

    public Answer send(String method, String target, Map<String, String> extraHeaders, String body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Host", "localhost:" + port);
            headers.put("Connection", "close");
            headers.put("Accept", "application/json, application/problem+json");
            headers.putAll(extraHeaders);
            if (body != null || !method.equals("GET")) {
                headers.put("Content-Length", String.valueOf(bytes.length));
            }
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            return parse(readAll(socket.getInputStream()));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        }
        catch (IOException reset) {
            // The server may close after answering without reading the whole body; what arrived is the answer.
            if (all.size() == 0) {
                throw reset;
            }
        }
        return all.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Answer(-1, "", "no HTTP answer: " + text);
        }
        Iterator<String> lines = text.substring(0, end).lines().iterator();
        int status = Integer.parseInt(lines.next().substring(9, 12));
        String contentType = "";
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                contentType = line.substring(13).trim();
            }
        }
        return new Answer(status, contentType, text.substring(end + 4));
    }
}
