package io.retinue.tools.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import io.retinue.shared.TenantId;
import io.retinue.shared.outbound.RetryAfter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs {@code http} tools from their request template: {@code {argument}} placeholders are filled from the call's
 * arguments (URL-encoded in the URL; query parameters left out when empty), {@code {{secret:name}}} or
 * {@code {{secret:name.field}}} (in headers and query parameters) from the credential store at the last moment; the body is the arguments as JSON
 * ({@code "arguments"}) or one argument ({@code "argument:<name>"}) when the template says so. Secret values never leave:
 * they are masked in results and errors.
 */
@Component
class HttpTools {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private static final Pattern ARGUMENT = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern SECRET = Pattern.compile(
            "\\{\\{(secret|basic|oauth):([A-Za-z0-9_-]+)(?:\\.([A-Za-z0-9_]+))?}}");
    /** A credential reference (groups 1 to 3, as {@link #SECRET}) or an argument (group 4). */
    private static final Pattern TEMPLATE = Pattern.compile(SECRET.pattern() + "|" + ARGUMENT.pattern());

    /** What an HTTP tool answered. */
    record Result(JsonNode body, boolean truncated) {
    }

    /**
     * The upstream answered with an error status (or the call could not be made, status 0). Only statuses that say
     * the server is unwell or busy are transient — retried for idempotent tools, counted against the tool's breaker:
     * 408, 429, 500, 502, 503, 504. A 500 counts because a server that fails every request must trip its breaker;
     * other 4xx are the caller's mistake and are returned at once.
     */
    static final class UpstreamError extends RuntimeException implements RetryAfter {

        private final int status;
        private final Duration retryAfter;

        UpstreamError(String message) {
            this(message, 0, null);
        }

        UpstreamError(String message, int status, Duration retryAfter) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        boolean isTransient() {
            return switch (status) {
                case 408, 429, 500, 502, 503, 504 -> true;
                default -> false;
            };
        }

        /** The server's Retry-After on a 429 or 503, which the outbound guard's retry honours. */
        @Override
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private final GuardedHttp http;
    private final CredentialStore credentials;
    private final OAuthTokens tokens;
    private final JsonMapper json;

    HttpTools(GuardedHttp http, CredentialStore credentials, OAuthTokens tokens, JsonMapper json) {
        this.http = http;
        this.credentials = credentials;
        this.tokens = tokens;
        this.json = json;
    }

    /**
     * A tool's request with its arguments and credentials filled in: made before the guarded call (it reads stored
     * credentials), so that only sending it is done where a cancel or a timeout may interrupt.
     */
    record Prepared(String method, URI uri, Map<String, String> headers, String body, int maxOutputBytes,
            Set<String> secrets) {
    }

    /**
     * {@code idempotencyKey}, when the call has one, goes downstream as {@code Idempotency-Key} (unless the tool sets
     * that header itself), so a service that de-duplicates by key — as payment APIs do — sees a retried or resumed
     * call as the same one.
     */
    Prepared prepare(TenantId tenant, Tool tool, JsonNode arguments, String idempotencyKey) {
        JsonNode spec = tool.spec();
        Set<String> secrets = new HashSet<>();
        StringBuilder url = new StringBuilder(fill(spec.path("url").asString(), arguments));
        spec.path("query").properties().forEach(parameter -> {
            String value = render(tenant, parameter.getValue().asString(), arguments, secrets);
            if (!value.isEmpty()) {
                url.append(url.indexOf("?") < 0 ? '?' : '&')
                    .append(encoded(parameter.getKey()))
                    .append('=')
                    .append(encoded(value));
            }
        });
        Map<String, String> headers = new LinkedHashMap<>();
        spec.path("headers").properties().forEach(header -> headers.put(header.getKey(),
                render(tenant, header.getValue().asString(), arguments, secrets)));
        String body = null;
        String bodyMapping = spec.path("body").asString("");
        if (bodyMapping.equals("arguments")) {
            body = json.writeValueAsString(arguments);
        }
        else if (bodyMapping.startsWith("argument:") && arguments.has(bodyMapping.substring(9))) {
            body = json.writeValueAsString(arguments.get(bodyMapping.substring(9)));
        }
        if (body != null) {
            headers.putIfAbsent("Content-Type", "application/json");
        }
        headers.putIfAbsent("Accept", "application/json");
        if (idempotencyKey != null && headers.keySet().stream().noneMatch(IDEMPOTENCY_KEY::equalsIgnoreCase)) {
            headers.put(IDEMPOTENCY_KEY, idempotencyKey);
        }
        return new Prepared(spec.path("method").asString("GET"), URI.create(url.toString()), headers, body,
                tool.maxOutputBytes(), secrets);
    }

    Result send(Prepared request) {
        GuardedHttp.Answer answer = http.send(request.method(), request.uri(), request.headers(), request.body(),
                request.maxOutputBytes());
        String text = mask(answer.body(), request.secrets());
        if (answer.status() >= 400) {
            throw new UpstreamError("the tool's endpoint answered HTTP " + answer.status() + ": "
                    + text.substring(0, Math.min(500, text.length())), answer.status(),
                    answer.status() == 429 || answer.status() == 503 ? RetryAfter.parse(answer.retryAfter(), Instant.now())
                            : null);
        }
        if (!answer.truncated() && answer.contentType().contains("json")) {
            try {
                return new Result(json.readTree(text), false);
            }
            catch (JacksonException notJson) {
                // fall through: hand the text over as it is
            }
        }
        return new Result(json.getNodeFactory().stringNode(text), answer.truncated());
    }

    /**
     * Fills a query or header template's credential references and arguments in one pass, so that nothing filled in
     * is read again: an argument whose value is {@code {{secret:other}}} (a model can be talked into sending one)
     * stays that text, and a credential holding {@code {x}} is not filled with an argument.
     */
    private String render(TenantId tenant, String template, JsonNode arguments, Set<String> secrets) {
        Matcher matcher = TEMPLATE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = matcher.group(1) != null ? credential(tenant, matcher, secrets)
                    : text(arguments.path(matcher.group(4)));
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String text(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "" : value.isString() ? value.asString() : value.toString();
    }

    /** The URL template with each argument filled in percent-encoded. */
    private static String fill(String template, JsonNode arguments) {
        Matcher matcher = ARGUMENT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String text = text(arguments.path(matcher.group(1)));
            matcher.appendReplacement(out, Matcher.quoteReplacement(encoded(text)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Percent-encoding that is right in a path segment as well as a query ({@code %20}, never {@code +}). */
    private static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Fills credential references: {@code {{secret:name}}} (a field, {@code value} by default), {@code {{basic:name}}}
     * (HTTP Basic from {@code username} and {@code password}) and {@code {{oauth:name}}} (an access token obtained
     * with the OAuth 2 client-credentials grant from {@code tokenUrl}, {@code clientId}, {@code clientSecret},
     * optional {@code scope}; cached until shortly before it expires).
     */
    /** Header templates with their credential references filled; the values used are added to {@code secrets}. */
    Map<String, String> reveal(TenantId tenant, Map<String, String> templates, Set<String> secrets) {
        Map<String, String> headers = new LinkedHashMap<>();
        templates.forEach((name, template) -> headers.put(name, reveal(tenant, template, secrets)));
        return headers;
    }

    private String reveal(TenantId tenant, String template, Set<String> secrets) {
        Matcher matcher = SECRET.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(credential(tenant, matcher, secrets)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** The value a matched credential reference stands for (groups 1 to 3: kind, name, field), noted as a secret. */
    private String credential(TenantId tenant, Matcher reference, Set<String> secrets) {
        String kind = reference.group(1);
        String name = reference.group(2);
        JsonNode credential = credentials.open(tenant, name)
            .orElseThrow(() -> new UpstreamError("the credential '" + name + "' does not exist"));
        String value = switch (kind) {
            case "basic" -> "Basic " + java.util.Base64.getEncoder().encodeToString((field(credential, name, "username")
                    + ":" + field(credential, name, "password")).getBytes(StandardCharsets.UTF_8));
            case "oauth" -> tokens.token(tenant, name, credential);
            default -> field(credential, name, reference.group(3) == null ? "value" : reference.group(3));
        };
        secrets.add(value);
        secrets.add(value.replaceFirst("^(Basic|Bearer) ", ""));
        return value;
    }

    private static String field(JsonNode credential, String name, String field) {
        String value = credential.path(field).asString("");
        if (value.isEmpty()) {
            throw new UpstreamError("the credential '" + name + "' has no field '" + field + "'");
        }
        return value;
    }

    static String mask(String text, Set<String> secrets) {
        String masked = text;
        for (String secret : secrets) {
            if (secret.length() >= 4) {
                masked = masked.replace(secret, "****");
            }
        }
        return masked;
    }
}
