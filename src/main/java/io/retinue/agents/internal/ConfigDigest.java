package io.retinue.agents.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.retinue.agents.AgentConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical JSON of a configuration and its SHA-256: the same configuration always has the same digest, whatever
 * the order of keys it arrived with. Import uses it to recognise versions it already has.
 */
final class ConfigDigest {

    static final JsonMapper CANONICAL = JsonMapper.builder()
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
        .build();

    private ConfigDigest() {
    }

    static String of(AgentConfig config) {
        return sha256(canonicalJson(config));
    }

    /** The digest of any JSON document, independent of key order (used for idempotency keys). */
    static String ofJson(JsonNode document) {
        return sha256(CANONICAL.writeValueAsString(document));
    }

    static String canonicalJson(AgentConfig config) {
        JsonNode tree = CANONICAL.valueToTree(config);
        return CANONICAL.writeValueAsString(tree);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
        }
    }
}
