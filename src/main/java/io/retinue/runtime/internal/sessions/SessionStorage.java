package io.retinue.runtime.internal.sessions;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.ai.chat.messages.Message;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.runtime.internal.AgentLoop;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.Page;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.Timestamps;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's SessionStorage: conversation threads and their messages (user, assistant with its tool calls, tool
 * results) in the runtime's schema. A session runs one turn at a time: a turn claims it and releases it when done.
 */
@Repository
public class SessionStorage {

    static final ProblemType BUSY = ProblemType.of("runtime/session-busy", HttpStatus.CONFLICT, "Session busy");

    /** A session as shown; {@code summary} sums up its messages up to {@code summaryThrough} when the window is tight. */
    @Schema(description = "A session as shown; summary sums up its messages up to summaryThrough when the window is "
            + "tight")
    public record Session(UUID id, String agent, JsonNode metadata, UUID busyRun, String summary,
            Integer summaryThrough, Instant createdAt, Instant updatedAt) {
    }

    /** One stored message. */
    @Schema(description = "One message of a session: its role, content, tool calls and the run that wrote it")
    public record StoredMessage(int seq, String role, String content, JsonNode toolCalls, UUID runId,
            Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    SessionStorage(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    public Session create(TenantId tenant, String agent, JsonNode metadata) {
        UUID id = TimeOrderedIds.next();
        Instant now = now();
        jdbc.sql("""
                INSERT INTO runtime.session (id, tenant_id, agent_slug, metadata, created_at, updated_at)
                VALUES (:id, :tenant, :agent, :metadata, :now, :now)""")
            .param("id", id)
            .param("tenant", tenant.value())
            .param("agent", agent)
            .param("metadata", json.writeValueAsString(metadata == null ? json.createObjectNode() : metadata))
            .param("now", Timestamps.of(now))
            .update();
        return find(tenant, id).orElseThrow();
    }

    public Optional<Session> find(TenantId tenant, UUID id) {
        return jdbc.sql("SELECT * FROM runtime.session WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .query(this::session)
            .optional();
    }

    private Session session(ResultSet rs, int row) throws SQLException {
        return new Session(rs.getObject("id", UUID.class), rs.getString("agent_slug"),
                json.readTree(rs.getString("metadata")), rs.getObject("busy_run_id", UUID.class),
                rs.getString("summary"), rs.getObject("summary_through", Integer.class), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"));
    }

    /** A page of the tenant's sessions, most recently active first. */
    public Page<Session> list(TenantId tenant, String agent, int limit, String cursor) {
        String filters = "sessions|" + agent;
        KeysetCursor after = KeysetCursor.read(cursor, filters);
        Map<String, Object> params = new java.util.HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (agent != null) {
            params.put("agent", agent);
        }
        if (after != null) {
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        List<Session> rows = jdbc.sql("SELECT * FROM runtime.session WHERE tenant_id = :tenant"
                + (agent == null ? "" : " AND agent_slug = :agent")
                + (after == null ? "" : " AND " + KeysetCursor.condition("updated_at"))
                + " ORDER BY updated_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query(this::session)
            .list();
        return KeysetCursor.page(rows, limit, Session::updatedAt, Session::id, filters);
    }

    public boolean delete(TenantId tenant, UUID id) {
        return jdbc.sql("DELETE FROM runtime.session WHERE tenant_id = :tenant AND id = :id AND busy_run_id IS NULL")
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
    }

    public List<StoredMessage> messages(UUID session) {
        return jdbc.sql("SELECT * FROM runtime.session_message WHERE session_id = :id ORDER BY seq")
            .param("id", session)
            .query((rs, n) -> new StoredMessage(rs.getInt("seq"), rs.getString("role"), rs.getString("content"),
                    rs.getString("tool_calls") == null ? null : json.readTree(rs.getString("tool_calls")),
                    rs.getObject("run_id", UUID.class), Timestamps.read(rs, "created_at")))
            .list();
    }

    /**
     * A session's messages as a client sees them: tool names as the tools are named ({@code builtin.calculator}), not
     * in the form providers are sent ({@code builtin__calculator}), which the stored messages keep for the model.
     */
    public List<StoredMessage> messagesAsShown(UUID session) {
        return messages(session).stream()
            .map(message -> message.toolCalls() == null ? message
                    : new StoredMessage(message.seq(), message.role(), message.content(), named(message.toolCalls()),
                            message.runId(), message.createdAt()))
            .toList();
    }

    private static JsonNode named(JsonNode toolCalls) {
        JsonNode shown = toolCalls.deepCopy();
        for (JsonNode call : shown) {
            if (call instanceof tools.jackson.databind.node.ObjectNode object && call.path("name").isString()) {
                object.put("name", AgentLoop.toolName(call.get("name").asString()));
            }
        }
        return shown;
    }

    /** Claims the session for a run; false while another run holds it. */
    public boolean claim(UUID session, UUID run) {
        return jdbc.sql("UPDATE runtime.session SET busy_run_id = :run WHERE id = :id AND busy_run_id IS NULL")
            .param("run", run)
            .param("id", session)
            .update() == 1;
    }

    public void release(UUID session, UUID run) {
        jdbc.sql("UPDATE runtime.session SET busy_run_id = NULL, updated_at = :now WHERE id = :id AND busy_run_id = :run")
            .param("now", Timestamps.of(now()))
            .param("id", session)
            .param("run", run)
            .update();
    }

    /**
     * A session's conversation as a new turn starts from it: the running summary of the turns it no longer sends
     * verbatim (if any) and the messages after it, each with its number.
     */
    public record History(String summary, List<Line> lines) {

        /** One stored message, as the model sees it. */
        public record Line(int seq, Message message) {
        }

        public static final History NONE = new History(null, List.of());
    }

    public History history(UUID session) {
        record Summary(String text, int through) {
        }
        Summary summary = jdbc.sql("SELECT summary, summary_through FROM runtime.session WHERE id = :id")
            .param("id", session)
            .query((rs, n) -> new Summary(rs.getString("summary"), rs.getInt("summary_through")))
            .single();
        List<History.Line> lines = messages(session).stream()
            .filter(message -> summary.text() == null || message.seq() > summary.through())
            .map(message -> new History.Line(message.seq(),
                    new TranscriptLine(message.role(), message.content(), message.toolCalls()).toMessage(json)))
            .toList();
        return new History(summary.text(), lines);
    }

    /** Keeps a new running summary that covers the session's messages up to {@code through}. */
    public void summarised(UUID session, String summary, int through) {
        jdbc.sql("UPDATE runtime.session SET summary = :summary, summary_through = :through WHERE id = :id")
            .param("summary", summary)
            .param("through", through)
            .param("id", session)
            .update();
    }

    /** Appends the messages one turn added. */
    public void append(UUID session, UUID run, List<Message> added) {
        int next = jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM runtime.session_message WHERE session_id = :id")
            .param("id", session)
            .query(Integer.class)
            .single();
        for (Message message : added) {
            TranscriptLine line = TranscriptLine.of(message, json);
            jdbc.sql("""
                    INSERT INTO runtime.session_message (session_id, seq, role, content, tool_calls, run_id, created_at)
                    VALUES (:session, :seq, :role, :content, :calls, :run, :now)""")
                .param("session", session)
                .param("seq", ++next)
                .param("role", line.role())
                .param("content", line.content())
                .param("calls", line.toolCalls() == null ? null : json.writeValueAsString(line.toolCalls()))
                .param("run", run)
                .param("now", Timestamps.of(now()))
                .update();
        }
    }

    public static DomainProblem busy(UUID session) {
        return new DomainProblem(BUSY, "Session " + session + " is running another turn; retry when it has finished "
                + "or send multitask=queue to wait for it");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
