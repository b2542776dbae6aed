package io.retinue.agents.internal;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.retinue.agents.AgentConfig;

/**
 * An agent as code: the YAML or JSON document teams keep in git and import into any installation. Version numbers
 * in it are those of the installation it was exported from; importing recognises versions by their configuration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "apiVersion", "kind", "metadata", "liveVersion", "versions" })
public record AgentDocument(String apiVersion, String kind, Metadata metadata, Integer liveVersion,
        List<Version> versions) {

    public static final String API_VERSION = "retinue.dev/v1";
    public static final String KIND = "Agent";

    public AgentDocument {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    /** Who the agent is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Metadata(String slug, String name, String description, Map<String, String> labels, String status) {

        public Metadata {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            description = description == null ? "" : description;
        }
    }

    /** One version of the agent's configuration. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "version", "status", "note", "config" })
    public record Version(int version, String status, String note, AgentConfig config) {

        boolean isPublished() {
            return VersionStatus.PUBLISHED.wire().equals(status);
        }
    }
}
