package io.retinue.agents.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentId;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;

/**
 * The seed's AgentRepository: agents, their labels and versions in schema {@code agents}, written with plain SQL so
 * that the same statements run on the embedded H2 (PostgreSQL mode) and on PostgreSQL. Updates are guarded by the
 * revision the change was computed from, so two concurrent writers can never both win.
 */
@Repository
public class AgentRepository {

    private static final String AGENT_COLUMNS = """
            a.id, a.tenant_id, a.slug, a.name, a.description, a.status, a.live_version, a.latest_version,
            a.draft_version, a.model_provider, a.model_name, a.revision, a.created_at, a.updated_at""";

    private final JdbcClient jdbc;
    /** Configurations as read, by digest: every run reads its version's, which never changes once published. */
    private final Cache<String, AgentConfig> configs = Caffeine.newBuilder().maximumSize(10_000).build();

    AgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Agent> find(TenantId tenant, String ref) {
        Optional<AgentId> id = AgentId.parse(ref);
        String where = id.isPresent() ? "a.id = :ref" : "a.slug = :ref";
        return jdbc.sql("SELECT " + AGENT_COLUMNS + " FROM agents.agent a WHERE a.tenant_id = :tenant AND " + where)
            .param("tenant", tenant.value())
            .param("ref", id.<Object>map(AgentId::value).orElse(ref))
            .query(AgentRepository::agentWithoutLabels)
            .optional()
            .map(this::withLabels);
    }

    /** An agent with one of its versions, read together. */
    record WithVersion(Agent agent, AgentVersion version) {
    }

    /**
     * The agent (without its labels) and its version {@code number} — its live version when null — in one query: what
     * a run starts from, read for every run.
     */
    Optional<WithVersion> findWithVersion(TenantId tenant, String ref, Integer number) {
        Optional<AgentId> id = AgentId.parse(ref);
        return jdbc.sql("SELECT " + AGENT_COLUMNS + """
                , v.agent_id, v.version_no, v.status AS version_status, v.config, v.config_digest, v.note,
                    v.created_at AS version_created_at, v.published_at
                FROM agents.agent a JOIN agents.agent_version v ON v.agent_id = a.id
                WHERE a.tenant_id = :tenant AND """ + (id.isPresent() ? " a.id = :ref" : " a.slug = :ref")
                + (number == null ? " AND v.version_no = a.live_version" : " AND v.version_no = :number"))
            .param("tenant", tenant.value())
            .param("ref", id.<Object>map(AgentId::value).orElse(ref))
            .params(number == null ? Map.of() : Map.of("number", number))
            .query((rs, row) -> new WithVersion(agentWithoutLabels(rs, row), version(rs, "version_status",
                    "version_created_at")))
            .optional();
    }

    boolean slugTaken(TenantId tenant, String slug) {
        return jdbc.sql("SELECT COUNT(*) FROM agents.agent WHERE tenant_id = :tenant AND slug = :slug")
            .param("tenant", tenant.value())
            .param("slug", slug)
            .query(Long.class)
            .single() > 0;
    }

    void insert(Agent agent) {
        jdbc.sql("""
                INSERT INTO agents.agent (id, tenant_id, slug, name, description, status, live_version,
                    latest_version, draft_version, model_provider, model_name, revision, created_at, updated_at)
                VALUES (:id, :tenant, :slug, :name, :description, :status, :live, :latest, :draft, :provider,
                    :model, :revision, :createdAt, :updatedAt)""")
            .params(agentParams(agent))
            .update();
        writeLabels(agent);
    }

    /** Stores the next state of an agent if nobody changed it since {@code current} was read. */
    void update(Agent current, Agent next, boolean preconditionGiven) {
        Map<String, Object> params = agentParams(next);
        params.put("expected", current.revision());
        int updated = jdbc.sql("""
                UPDATE agents.agent SET name = :name, description = :description, status = :status,
                    live_version = :live, latest_version = :latest, draft_version = :draft,
                    model_provider = :provider, model_name = :model, revision = :revision, updated_at = :updatedAt
                WHERE id = :id AND tenant_id = :tenant AND revision = :expected""")
            .params(params)
            .update();
        if (updated == 0) {
            throw preconditionGiven
                    ? new DomainProblem(io.retinue.shared.ProblemType.PRECONDITION_FAILED,
                            "The agent was changed by another request; read it again and retry")
                    : new DomainProblem(AgentProblems.CONCURRENT_MODIFICATION,
                            "The agent was changed by another request at the same time; read it again and retry");
        }
        if (!current.labels().equals(next.labels())) {
            jdbc.sql("DELETE FROM agents.agent_label WHERE agent_id = :id").param("id", next.id().value()).update();
            writeLabels(next);
        }
    }

    void delete(Agent agent) {
        jdbc.sql("DELETE FROM agents.agent WHERE id = :id AND tenant_id = :tenant")
            .param("id", agent.id().value())
            .param("tenant", agent.tenant().value())
            .update();
    }

    /** Deletes an agent withdrawn for deletion, unless it was put back or changed since; false then. */
    boolean deleteWithdrawn(Agent withdrawn) {
        return jdbc.sql("""
                DELETE FROM agents.agent WHERE id = :id AND tenant_id = :tenant AND status = 'deleting'
                AND revision = :revision""")
            .param("id", withdrawn.id().value())
            .param("tenant", withdrawn.tenant().value())
            .param("revision", withdrawn.revision())
            .update() == 1;
    }

    void insertDeletion(AgentDeletion deletion) {
        jdbc.sql("""
                INSERT INTO agents.agent_deletion (agent_id, tenant_id, previous_status, previous_revision,
                    previous_updated_at, started_at)
                VALUES (:agent, :tenant, :status, :revision, :updatedAt, :startedAt)""")
            .param("agent", deletion.agent().value())
            .param("tenant", deletion.tenant().value())
            .param("status", deletion.previousStatus().wire())
            .param("revision", deletion.previousRevision())
            .param("updatedAt", Timestamps.of(deletion.previousUpdatedAt()))
            .param("startedAt", Timestamps.of(deletion.startedAt()))
            .update();
    }

    Optional<AgentDeletion> findDeletion(AgentId agent) {
        return jdbc.sql("SELECT * FROM agents.agent_deletion WHERE agent_id = :agent")
            .param("agent", agent.value())
            .query(AgentRepository::deletion)
            .optional();
    }

    /** Deletions started before {@code cutoff} that have neither finished nor been put back. */
    List<AgentDeletion> deletionsStartedBefore(java.time.Instant cutoff, int limit) {
        return jdbc.sql("SELECT * FROM agents.agent_deletion WHERE started_at < :cutoff ORDER BY started_at LIMIT "
                + limit)
            .param("cutoff", Timestamps.of(cutoff))
            .query(AgentRepository::deletion)
            .list();
    }

    void removeDeletion(AgentDeletion deletion) {
        jdbc.sql("DELETE FROM agents.agent_deletion WHERE agent_id = :agent")
            .param("agent", deletion.agent().value())
            .update();
    }

    private static AgentDeletion deletion(ResultSet rs, int row) throws SQLException {
        return new AgentDeletion(new AgentId(rs.getObject("agent_id", UUID.class)),
                new TenantId(rs.getString("tenant_id")), AgentStatus.fromWire(rs.getString("previous_status")),
                rs.getLong("previous_revision"), Timestamps.read(rs, "previous_updated_at"),
                Timestamps.read(rs, "started_at"));
    }

    Optional<AgentVersion> findVersion(Agent agent, int number) {
        return jdbc.sql("""
                SELECT agent_id, version_no, status, config, config_digest, note, created_at, published_at
                FROM agents.agent_version WHERE agent_id = :id AND version_no = :number""")
            .param("id", agent.id().value())
            .param("number", number)
            .query(this::version)
            .optional();
    }

    /** Versions newest first, {@code limit} of them below {@code before} (exclusive; null for the newest). */
    List<AgentVersion> versions(Agent agent, Integer before, int limit) {
        return jdbc.sql("""
                SELECT agent_id, version_no, status, config, config_digest, note, created_at, published_at
                FROM agents.agent_version WHERE agent_id = :id AND version_no < :before
                ORDER BY version_no DESC FETCH FIRST :limit ROWS ONLY""")
            .param("id", agent.id().value())
            .param("before", before == null ? Integer.MAX_VALUE : before)
            .param("limit", limit)
            .query(this::version)
            .list();
    }

    List<AgentVersion> allVersions(Agent agent) {
        return jdbc.sql("""
                SELECT agent_id, version_no, status, config, config_digest, note, created_at, published_at
                FROM agents.agent_version WHERE agent_id = :id ORDER BY version_no""")
            .param("id", agent.id().value())
            .query(this::version)
            .list();
    }

    void insertVersion(Agent agent, AgentVersion version) {
        jdbc.sql("""
                INSERT INTO agents.agent_version (agent_id, tenant_id, version_no, status, config, config_digest,
                    note, created_at, published_at)
                VALUES (:id, :tenant, :number, :status, :config, :digest, :note, :createdAt, :publishedAt)""")
            .params(versionParams(agent, version))
            .update();
    }

    /** Rewrites a draft; the status guard makes a published version unchangeable even under a racing publish. */
    void updateDraft(Agent agent, AgentVersion version) {
        int updated = jdbc.sql("""
                UPDATE agents.agent_version SET config = :config, config_digest = :digest, note = :note,
                    status = :status, published_at = :publishedAt
                WHERE agent_id = :id AND version_no = :number AND status = 'draft'""")
            .params(versionParams(agent, version))
            .update();
        if (updated == 0) {
            throw new DomainProblem(AgentProblems.VERSION_IMMUTABLE,
                    "Version " + version.number() + " is published and can no longer change");
        }
    }

    Page query(AgentSearch search) {
        AgentSearch.Sql sql = search.toSql();
        List<Agent> rows = jdbc.sql("SELECT " + AGENT_COLUMNS + " FROM agents.agent a WHERE " + sql.where()
                + " ORDER BY " + sql.orderBy() + " FETCH FIRST :limit ROWS ONLY")
            .params(sql.params())
            .param("limit", search.limit() + 1)
            .query(AgentRepository::agentWithoutLabels)
            .list();
        boolean more = rows.size() > search.limit();
        List<Agent> page = withLabels(more ? rows.subList(0, search.limit()) : rows);
        return new Page(page, more);
    }

    /** One page of agents and whether another follows. */
    record Page(List<Agent> agents, boolean hasMore) {
    }

    private void writeLabels(Agent agent) {
        agent.labels()
            .forEach((name, value) -> jdbc.sql("""
                    INSERT INTO agents.agent_label (agent_id, tenant_id, label_key, label_value)
                    VALUES (:id, :tenant, :name, :value)""")
                .param("id", agent.id().value())
                .param("tenant", agent.tenant().value())
                .param("name", name)
                .param("value", value)
                .update());
    }

    private Agent withLabels(Agent agent) {
        return withLabels(List.of(agent)).getFirst();
    }

    private List<Agent> withLabels(List<Agent> agents) {
        if (agents.isEmpty()) {
            return agents;
        }
        Map<UUID, Map<String, String>> labels = new HashMap<>();
        jdbc.sql("SELECT agent_id, label_key, label_value FROM agents.agent_label WHERE agent_id IN (:ids)")
            .param("ids", agents.stream().map(agent -> agent.id().value()).toList())
            .query(rs -> {
                labels.computeIfAbsent(rs.getObject("agent_id", UUID.class), id -> new TreeMap<>())
                    .put(rs.getString("label_key"), rs.getString("label_value"));
            });
        List<Agent> out = new ArrayList<>(agents.size());
        for (Agent agent : agents) {
            out.add(new Agent(agent.id(), agent.tenant(), agent.slug(), agent.name(), agent.description(),
                    labels.getOrDefault(agent.id().value(), Map.of()), agent.status(), agent.liveVersion(),
                    agent.latestVersion(), agent.draftVersion(), agent.modelProvider(), agent.modelName(),
                    agent.revision(), agent.createdAt(), agent.updatedAt()));
        }
        return out;
    }

    private static Map<String, Object> agentParams(Agent agent) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", agent.id().value());
        params.put("tenant", agent.tenant().value());
        params.put("slug", agent.slug());
        params.put("name", agent.name());
        params.put("description", agent.description());
        params.put("status", agent.status().wire());
        params.put("live", agent.liveVersion());
        params.put("latest", agent.latestVersion());
        params.put("draft", agent.draftVersion());
        params.put("provider", agent.modelProvider());
        params.put("model", agent.modelName());
        params.put("revision", agent.revision());
        params.put("createdAt", Timestamps.of(agent.createdAt()));
        params.put("updatedAt", Timestamps.of(agent.updatedAt()));
        return params;
    }

    private static Map<String, Object> versionParams(Agent agent, AgentVersion version) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", agent.id().value());
        params.put("tenant", agent.tenant().value());
        params.put("number", version.number());
        params.put("status", version.status().wire());
        params.put("config", ConfigDigest.canonicalJson(version.config()));
        params.put("digest", version.digest());
        params.put("note", version.note());
        params.put("createdAt", Timestamps.of(version.createdAt()));
        params.put("publishedAt", Timestamps.of(version.publishedAt()));
        return params;
    }



    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static Agent agentWithoutLabels(ResultSet rs, int row) throws SQLException {
        return new Agent(new AgentId(rs.getObject("id", UUID.class)), new TenantId(rs.getString("tenant_id")),
                rs.getString("slug"), rs.getString("name"), rs.getString("description"), Map.of(),
                AgentStatus.fromWire(rs.getString("status")), nullableInt(rs, "live_version"),
                rs.getInt("latest_version"), nullableInt(rs, "draft_version"), rs.getString("model_provider"),
                rs.getString("model_name"), rs.getLong("revision"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"));
    }

    private AgentVersion version(ResultSet rs, int row) throws SQLException {
        return version(rs, "status", "created_at");
    }

    private AgentVersion version(ResultSet rs, String status, String createdAt) throws SQLException {
        String text = rs.getString("config");
        // The digest names the configuration's content: the same digest, the same configuration.
        AgentConfig config = configs.get(rs.getString("config_digest"),
                digest -> ConfigDigest.CANONICAL.readValue(text, AgentConfig.class));
        return new AgentVersion(new AgentId(rs.getObject("agent_id", UUID.class)), rs.getInt("version_no"),
                VersionStatus.fromWire(rs.getString(status)), config, rs.getString("config_digest"),
                rs.getString("note"), Timestamps.read(rs, createdAt), Timestamps.read(rs, "published_at"));
    }
}
