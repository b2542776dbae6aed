package io.retinue.runtime.internal.providers;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.agents.TenantProviders;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.AddressGuard;
import io.retinue.tools.Credentials;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model provider connections tenants define over the API ({@code runtime.provider_connection}): a type, a base
 * URL (kept off internal addresses unless allowed), the models offered, and a reference to the key — a credential of
 * the tools module's store ({@code credential:<name>}) or an environment variable the installation allows
 * ({@code env:<NAME>}); the key itself is never stored here nor shown.
 */
@Repository
public class ProviderConnections implements TenantProviders {

    static final ProblemType NAME_RESERVED = ProblemType.of("runtime/provider-name-reserved", HttpStatus.CONFLICT,
            "Provider name reserved");
    private static final String NAME = "[a-z0-9][a-z0-9-]{0,62}";

    /** What a tenant sends to define a connection. */
    @Schema(description = "A connection to define: type, base URL, the models offered, the credential "
            + "reference and a timeout")
    public record ConnectionRequest(String type, String baseUrl, List<String> models, String credential,
            Integer timeoutSeconds) {
    }

    /**
     * A connection as shown: the tenant's own ({@code scope: tenant}) or the installation's ({@code scope:
     * installation}, whose details stay with the operator).
     */
    @Schema(description = "A model provider connection as shown: the tenant's own (scope tenant) or the "
            + "installation's (scope installation); never its key")
    public record Connection(String name, String type, String baseUrl, List<String> models, String credential,
            Integer timeoutSeconds, String scope, Instant createdAt, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final Credentials credentials;
    private final ProviderProperties installation;
    private final AddressGuard guard;
    private final Set<String> allowedEnv;

    ProviderConnections(JdbcClient jdbc, JsonMapper json, Clock clock, Credentials credentials,
            ProviderProperties installation,
            @Value("${retinue.runtime.connections.allowed-internal:}") List<String> allowedInternal,
            @Value("${retinue.runtime.connections.allowed-env:}") List<String> allowedEnv) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.credentials = credentials;
        this.installation = installation;
        this.guard = new AddressGuard(allowedInternal, "model connections");
        this.allowedEnv = Set.copyOf(allowedEnv);
    }

    /** The installation's connections (names and types), then the tenant's. */
    public List<Connection> list(TenantId tenant) {
        List<Connection> all = new ArrayList<>();
        all.add(new Connection("demo", "demo", null, List.of(), null, null, "installation", null, null));
        installation.providers().forEach((name, provider) -> all.add(new Connection(name, provider.type(), null,
                List.of(), null, null, "installation", null, null)));
        all.addAll(jdbc.sql("SELECT * FROM runtime.provider_connection WHERE tenant_id = :tenant ORDER BY name")
            .param("tenant", tenant.value())
            .query((rs, n) -> connection(rs))
            .list());
        return all;
    }

    public Optional<Connection> find(TenantId tenant, String name) {
        return jdbc.sql("SELECT * FROM runtime.provider_connection WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .query((rs, n) -> connection(rs))
            .optional();
    }

    /** Defines or replaces a connection; 422 listing every problem, 409 for a name the installation uses. */
    public Connection put(TenantId tenant, String name, ConnectionRequest request) {
        if (name == null || !name.matches(NAME)) {
            throw DomainProblem.invalidParameter("name", "a connection name is 1-63 of a-z 0-9 -, starting with a "
                    + "letter or digit");
        }
        if (name.equals("demo") || installation.providers().containsKey(name)) {
            throw new DomainProblem(NAME_RESERVED, "'" + name + "' is a provider of the installation");
        }
        List<Violation> problems = problems(tenant, request);
        if (!problems.isEmpty()) {
            throw DomainProblem.invalid(problems);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("tenant", tenant.value());
        values.put("name", name);
        values.put("type", request.type());
        values.put("baseUrl", request.baseUrl());
        values.put("models", json.writeValueAsString(request.models() == null ? List.of() : request.models()));
        values.put("credential", request.credential());
        values.put("timeout", request.timeoutSeconds() == null ? 120 : request.timeoutSeconds());
        values.put("now", Timestamps.of(now));
        if (jdbc.sql("""
                UPDATE runtime.provider_connection SET type = :type, base_url = :baseUrl, models = :models,
                    credential = :credential, timeout_seconds = :timeout, updated_at = :now
                WHERE tenant_id = :tenant AND name = :name""").params(values).update() == 0) {
            jdbc.sql("""
                    INSERT INTO runtime.provider_connection (tenant_id, name, type, base_url, models, credential,
                        timeout_seconds, created_at, updated_at)
                    VALUES (:tenant, :name, :type, :baseUrl, :models, :credential, :timeout, :now, :now)""")
                .params(values)
                .update();
        }
        return find(tenant, name).orElseThrow();
    }

    public boolean delete(TenantId tenant, String name) {
        return jdbc.sql("DELETE FROM runtime.provider_connection WHERE tenant_id = :tenant AND name = :name")
            .param("tenant", tenant.value())
            .param("name", name)
            .update() == 1;
    }

    @Override
    public Map<String, List<String>> providersOf(TenantId tenant) {
        Map<String, List<String>> providers = new LinkedHashMap<>();
        jdbc.sql("SELECT name, models FROM runtime.provider_connection WHERE tenant_id = :tenant ORDER BY name")
            .param("tenant", tenant.value())
            .query((rs, n) -> Map.entry(rs.getString("name"), models(rs.getString("models"))))
            .list()
            .forEach(entry -> providers.put(entry.getKey(), entry.getValue()));
        return providers;
    }

    /** The key a connection's reference points at, opened for building its client; empty when it has none. */
    Optional<String> key(TenantId tenant, String reference) {
        if (reference == null) {
            return Optional.empty();
        }
        if (reference.startsWith("env:")) {
            String variable = reference.substring(4);
            return allowedEnv.contains(variable) ? Optional.ofNullable(System.getenv(variable)) : Optional.empty();
        }
        return credentials.secret(tenant, reference.substring("credential:".length()));
    }

    private List<Violation> problems(TenantId tenant, ConnectionRequest request) {
        List<Violation> problems = new ArrayList<>();
        if (request == null) {
            return List.of(new Violation("", "a connection needs at least a type"));
        }
        try {
            ModelConnection.Kind.of(String.valueOf(request.type()));
        }
        catch (IllegalArgumentException unknown) {
            problems.add(new Violation("/type", unknown.getMessage()));
        }
        if (request.baseUrl() == null) {
            if ("ollama".equals(request.type())) {
                problems.add(new Violation("/baseUrl", "is required for an ollama connection"));
            }
        }
        else {
            try {
                guard.check(URI.create(request.baseUrl()));
            }
            catch (IllegalArgumentException | AddressGuard.Refused refused) {
                problems.add(new Violation("/baseUrl", refused.getMessage()));
            }
        }
        String credential = request.credential();
        if (credential != null) {
            if (credential.startsWith("env:")) {
                if (!allowedEnv.contains(credential.substring(4))) {
                    problems.add(new Violation("/credential", "the environment variable '" + credential.substring(4)
                            + "' is not one the installation lets tenants use (retinue.runtime.connections.allowed-env)"));
                }
            }
            else if (credential.startsWith("credential:")) {
                if (credentials.secret(tenant, credential.substring("credential:".length())).isEmpty()) {
                    problems.add(new Violation("/credential", "no api_key or bearer credential named '"
                            + credential.substring("credential:".length()) + "' in the credential store"));
                }
            }
            else {
                problems.add(new Violation("/credential", "must be credential:<name> or env:<NAME>"));
            }
        }
        if (request.models() != null && request.models().stream().anyMatch(model -> model == null || model.isBlank())) {
            problems.add(new Violation("/models", "must be model names"));
        }
        if (request.timeoutSeconds() != null && (request.timeoutSeconds() < 1 || request.timeoutSeconds() > 600)) {
            problems.add(new Violation("/timeoutSeconds", "must be between 1 and 600"));
        }
        return problems;
    }

    private Connection connection(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Connection(rs.getString("name"), rs.getString("type"), rs.getString("base_url"),
                models(rs.getString("models")), rs.getString("credential"), rs.getInt("timeout_seconds"), "tenant",
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }

    private List<String> models(String text) {
        return json.readValue(text, new TypeReference<List<String>>() {
        });
    }
}
