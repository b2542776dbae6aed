package io.retinue.tools.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.stereotype.Component;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.parser.ParseException;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools every tenant has, useful offline: the time and time-zone conversion, arithmetic, picking values out of
 * JSON, and fetching a URL from an allow-list ({@link HttpFetch}). They still need a grant like any other tool.
 */
@Component
public class Builtins {

    /** A builtin's definition and behaviour. */
    record Builtin(Tool tool, Function<JsonNode, JsonNode> run) {
    }

    /** A builtin refused its input; the message is meant for the model that made the call. */
    static final class BuiltinFailure extends RuntimeException {

        BuiltinFailure(String message) {
            super(message);
        }
    }

    private final Map<String, Builtin> builtins;
    private final JsonMapper json;

    Builtins(JsonMapper json, HttpFetch fetch) {
        this.json = json;
        this.builtins = Map.of(
                "builtin.clock", new Builtin(define("builtin.clock",
                        "The current time in a time zone, or an instant converted to another zone.", """
                        {"type":"object","additionalProperties":false,"properties":{
                          "timezone":{"type":"string","description":"IANA zone, e.g. Europe/Berlin; default UTC"},
                          "instant":{"type":"string","description":"ISO-8601 instant to convert instead of now"}}}""",
                        true, Set.of("time")), this::clock),
                "builtin.calculator", new Builtin(define("builtin.calculator",
                        "Evaluates an arithmetic expression exactly, e.g. (17.5 * 3) / 4 or SQRT(2).", """
                        {"type":"object","additionalProperties":false,"required":["expression"],"properties":{
                          "expression":{"type":"string","minLength":1,"maxLength":1000}}}""", true, Set.of("math")),
                        this::calculate),
                "builtin.json_select", new Builtin(define("builtin.json_select",
                        "Picks values out of a JSON document by JSON pointer, e.g. {\"city\": \"/address/city\"}.", """
                        {"type":"object","additionalProperties":false,"required":["document","select"],"properties":{
                          "document":{},
                          "select":{"type":"object","additionalProperties":{"type":"string","pattern":"^(/.*)?$"}}}}""",
                        true, Set.of("json")), this::select),
                "builtin.http_get", new Builtin(define("builtin.http_get",
                        "Fetches a URL with GET; only hosts on the installation's allow-list can be reached.", """
                        {"type":"object","additionalProperties":false,"required":["url"],"properties":{
                          "url":{"type":"string","format":"uri","maxLength":2000}}}""", true, Set.of("web")),
                        fetch::get));
    }

    Optional<Tool> tool(String name) {
        return Optional.ofNullable(builtins.get(name)).map(Builtin::tool);
    }

    List<Tool> all() {
        return builtins.values().stream().map(Builtin::tool).toList();
    }

    JsonNode run(String name, JsonNode arguments) {
        return builtins.get(name).run().apply(arguments);
    }

    private Tool define(String name, String description, String schema, boolean idempotent, Set<String> tags) {
        return new Tool(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), null, name, 1, description,
                ToolKind.BUILTIN, json.readTree(schema), null, tags, true, idempotent, 10_000, 65_536, 64,
                json.createObjectNode(), Instant.EPOCH);
    }

    private JsonNode clock(JsonNode arguments) {
        try {
            ZoneId zone = ZoneId.of(arguments.path("timezone").asString("UTC"));
            Instant instant = arguments.has("instant") ? Instant.parse(arguments.get("instant").asString())
                    : Instant.now();
            ZonedDateTime at = instant.atZone(zone);
            ObjectNode out = json.createObjectNode();
            out.put("dateTime", at.toOffsetDateTime().toString());
            out.put("timezone", zone.getId());
            out.put("dayOfWeek", at.getDayOfWeek().toString());
            out.put("epochMillis", instant.toEpochMilli());
            return out;
        }
        catch (DateTimeException ex) {
            throw new BuiltinFailure("Unknown time zone or malformed instant: " + ex.getMessage());
        }
    }

    private JsonNode calculate(JsonNode arguments) {
        String expression = arguments.get("expression").asString();
        try {
            BigDecimal value = new Expression(expression).evaluate().getNumberValue();
            if (value == null) {
                throw new BuiltinFailure("The expression has no numeric value");
            }
            ObjectNode out = json.createObjectNode();
            out.put("expression", expression);
            out.put("result", value.stripTrailingZeros().toPlainString());
            return out;
        }
        catch (EvaluationException | ParseException | ArithmeticException ex) {
            throw new BuiltinFailure("Cannot evaluate '" + expression + "': " + ex.getMessage());
        }
    }

    private JsonNode select(JsonNode arguments) {
        JsonNode document = arguments.get("document");
        ObjectNode out = json.createObjectNode();
        arguments.get("select").properties().forEach(entry -> {
            JsonNode found = document.at(entry.getValue().asString());
            out.set(entry.getKey(), found.isMissingNode() ? null : found);
        });
        return out;
    }
}
