package io.retinue.tools.internal;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The {@code builtin.http_get} tool: GET on hosts of {@code retinue.tools.http-get.allowed-hosts} only. */
@Component
class HttpFetch {

    private final GuardedHttp http;
    private final JsonMapper json;
    private final Set<String> allowedHosts;

    HttpFetch(GuardedHttp http, JsonMapper json,
            @Value("${retinue.tools.http-get.allowed-hosts:}") List<String> allowedHosts) {
        this.http = http;
        this.json = json;
        this.allowedHosts = Set.copyOf(allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList());
    }

    JsonNode get(JsonNode arguments) {
        URI uri;
        try {
            uri = URI.create(arguments.get("url").asString());
        }
        catch (IllegalArgumentException ex) {
            throw new Builtins.BuiltinFailure("Not a URL: " + ex.getMessage());
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowedHosts.contains(host)) {
            throw new Builtins.BuiltinFailure("The host '" + host + "' is not on this installation's allow-list");
        }
        GuardedHttp.Answer answer = http.send("GET", uri, Map.of("Accept", "application/json, text/*"), null, 65_536);
        ObjectNode out = json.createObjectNode();
        out.put("status", answer.status());
        out.put("contentType", answer.contentType());
        out.put("body", answer.body());
        out.put("truncated", answer.truncated());
        return out;
    }
}
