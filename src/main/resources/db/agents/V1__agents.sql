-- Agents, their labels and their numbered configuration versions. Every row carries its tenant.
CREATE TABLE agents.agent (
    id             UUID                     NOT NULL PRIMARY KEY,
    tenant_id      VARCHAR(63)              NOT NULL,
    slug           VARCHAR(63)              NOT NULL,
    name           VARCHAR(200)             NOT NULL,
    description    VARCHAR(2000)            NOT NULL,
    status         VARCHAR(16)              NOT NULL,
    live_version   INTEGER,
    latest_version INTEGER                  NOT NULL,
    draft_version  INTEGER,
    model_provider VARCHAR(32)              NOT NULL,
    model_name     VARCHAR(200)             NOT NULL,
    revision       BIGINT                   NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT agent_slug_per_tenant UNIQUE (tenant_id, slug)
);
CREATE INDEX agent_by_created ON agents.agent (tenant_id, created_at, id);
CREATE INDEX agent_by_updated ON agents.agent (tenant_id, updated_at, id);
CREATE INDEX agent_by_name ON agents.agent (tenant_id, name, id);
CREATE INDEX agent_by_model ON agents.agent (tenant_id, model_provider, model_name);

CREATE TABLE agents.agent_label (
    agent_id    UUID        NOT NULL REFERENCES agents.agent (id) ON DELETE CASCADE,
    tenant_id   VARCHAR(63) NOT NULL,
    label_key   VARCHAR(63) NOT NULL,
    label_value VARCHAR(63) NOT NULL,
    PRIMARY KEY (agent_id, label_key)
);
CREATE INDEX agent_label_lookup ON agents.agent_label (tenant_id, label_key, label_value);

CREATE TABLE agents.agent_version (
    agent_id      UUID                     NOT NULL REFERENCES agents.agent (id) ON DELETE CASCADE,
    tenant_id     VARCHAR(63)              NOT NULL,
    version_no    INTEGER                  NOT NULL,
    status        VARCHAR(16)              NOT NULL,
    config        TEXT                     NOT NULL,
    config_digest CHAR(64)                 NOT NULL,
    note          VARCHAR(1000),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    published_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (agent_id, version_no)
);

-- Idempotent creates: a key remembers the digest of the request it first came with and the agent it created.
CREATE TABLE agents.idempotency_key (
    tenant_id      VARCHAR(63)              NOT NULL,
    idem_key       VARCHAR(255)             NOT NULL,
    request_digest CHAR(64)                 NOT NULL,
    agent_id       UUID                     NOT NULL REFERENCES agents.agent (id) ON DELETE CASCADE,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);
CREATE INDEX idempotency_key_by_age ON agents.idempotency_key (created_at);
