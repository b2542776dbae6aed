package io.retinue.tools.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's ToolRegistry: a tenant's tool definitions ({@code tools.tool}), each update a new version, plus the
 * builtins every tenant has. The current version of a name is its newest.
 */
@Repository
public class ToolRegistry {

    private static final String COLUMNS = """
            t.id, t.tenant_id, t.name, t.version, t.description, t.kind, t.input_schema, t.output_schema, t.tags,
            t.enabled, t.idempotent, t.timeout_ms, t.max_output_bytes, t.max_concurrency, t.spec, t.created_at""";
    private static final String CURRENT = """
            t.version = (SELECT MAX(v.version) FROM tools.tool v WHERE v.tenant_id = t.tenant_id AND v.name = t.name)""";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Builtins builtins;

    ToolRegistry(JdbcClient jdbc, JsonMapper json, Builtins builtins) {
        this.jdbc = jdbc;
        this.json = json;
        this.builtins = builtins;
    }

    /** The current version of a tool by name: a builtin, or the tenant's own. */
    public Optional<Tool> current(TenantId tenant, String name) {
        Optional<Tool> builtin = builtins.tool(name);
        if (builtin.isPresent()) {
            return builtin;
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools.tool t WHERE t.tenant_id = :tenant AND t.name = :name AND "
                + CURRENT)
            .param("tenant", tenant.value())
            .param("name", name)
            .query(this::tool)
            .optional();
    }

    public List<Tool> versions(TenantId tenant, String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools.tool t WHERE t.tenant_id = :tenant AND t.name = :name"
                + " ORDER BY t.version DESC")
            .param("tenant", tenant.value())
            .param("name", name)
            .query(this::tool)
            .list();
    }

    /** Current versions of the tenant's tools and the builtins, filtered, ordered by name, after {@code afterName}. */
    public List<Tool> search(TenantId tenant, String text, String tag, ToolKind kind, Boolean enabled, String afterName,
            int limit) {
        List<Tool> all = new ArrayList<>(builtins.all());
        List<String> where = new ArrayList<>(List.of("t.tenant_id = :tenant", CURRENT));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tenant", tenant.value());
        all.addAll(jdbc.sql("SELECT " + COLUMNS + " FROM tools.tool t WHERE " + String.join(" AND ", where))
            .params(params)
            .query(this::tool)
            .list());
        String needle = text == null ? null : text.toLowerCase(java.util.Locale.ROOT);
        return all.stream()
            .filter(tool -> needle == null || tool.name().toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || tool.description().toLowerCase(java.util.Locale.ROOT).contains(needle))
            .filter(tool -> tag == null || tool.tags().contains(tag))
            .filter(tool -> kind == null || tool.kind() == kind)
            .filter(tool -> enabled == null || tool.enabled() == enabled)
            .filter(tool -> afterName == null || tool.name().compareTo(afterName) > 0)
            .sorted(java.util.Comparator.comparing(Tool::name))
            .limit(limit)
            .toList();
    }

    void insert(Tool tool) {
        jdbc.sql("""
                INSERT INTO tools.tool (id, tenant_id, name, version, description, kind, input_schema, output_schema,
                    tags, enabled, idempotent, timeout_ms, max_output_bytes, max_concurrency, spec, created_at)
                VALUES (:id, :tenant, :name, :version, :description, :kind, :input, :output, :tags, :enabled,
                    :idempotent, :timeout, :maxOutput, :maxConcurrency, :spec, :createdAt)""")
            .param("id", tool.id())
            .param("tenant", tool.tenant().value())
            .param("name", tool.name())
            .param("version", tool.version())
            .param("description", tool.description())
            .param("kind", tool.kind().wire())
            .param("input", json.writeValueAsString(tool.inputSchema()))
            .param("output", tool.outputSchema() == null ? null : json.writeValueAsString(tool.outputSchema()))
            .param("tags", String.join(" ", new TreeSet<>(tool.tags())))
            .param("enabled", tool.enabled())
            .param("idempotent", tool.idempotent())
            .param("timeout", tool.timeoutMs())
            .param("maxOutput", tool.maxOutputBytes())
            .param("maxConcurrency", tool.maxConcurrency())
            .param("spec", json.writeValueAsString(tool.spec()))
            .param("createdAt", Timestamps.of(tool.createdAt()))
            .update();
    }

    /** Enables or disables every version of a tool (the flag belongs to the tool, not to one version). */
    void setEnabled(TenantId tenant, String name, boolean enabled) {
        jdbc.sql("UPDATE tools.tool SET enabled = :enabled WHERE tenant_id = :tenant AND name = :name")
            .param("enabled", enabled)
            .param("tenant", tenant.value())
            .param("name", name)
            .update();
    }

    void delete(TenantId tenant, String name) {
        jdbc.sql("DELETE FROM tools.tool WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .update();
    }

    private Tool tool(ResultSet rs, int row) throws SQLException {
        String output = rs.getString("output_schema");
        String tags = rs.getString("tags");
        return new Tool(rs.getObject("id", UUID.class), new TenantId(rs.getString("tenant_id")), rs.getString("name"),
                rs.getInt("version"), rs.getString("description"), ToolKind.fromWire(rs.getString("kind")),
                json.readTree(rs.getString("input_schema")), output == null ? null : json.readTree(output),
                tags == null || tags.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(tags.split(" "))),
                rs.getBoolean("enabled"), rs.getBoolean("idempotent"), rs.getInt("timeout_ms"),
                rs.getInt("max_output_bytes"), rs.getInt("max_concurrency"), json.readTree(rs.getString("spec")),
                Timestamps.read(rs, "created_at"));
    }
}
