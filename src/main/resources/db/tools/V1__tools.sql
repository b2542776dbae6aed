-- Tool definitions: every update is a new version; the newest version of a name is the current one.
CREATE TABLE tools.tool (
    id               UUID                     NOT NULL PRIMARY KEY,
    tenant_id        VARCHAR(63)              NOT NULL,
    name             VARCHAR(200)             NOT NULL,
    version          INTEGER                  NOT NULL,
    description      VARCHAR(2000)            NOT NULL,
    kind             VARCHAR(16)              NOT NULL,
    input_schema     TEXT                     NOT NULL,
    output_schema    TEXT,
    tags             VARCHAR(1000)            NOT NULL,
    enabled          BOOLEAN                  NOT NULL,
    idempotent       BOOLEAN                  NOT NULL,
    timeout_ms       INTEGER                  NOT NULL,
    max_output_bytes INTEGER                  NOT NULL,
    spec             TEXT                     NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT tool_version_per_tenant UNIQUE (tenant_id, name, version)
);

-- Secrets tools use (API keys, basic auth, OAuth client credentials), sealed with the master key.
CREATE TABLE tools.credential (
    tenant_id  VARCHAR(63)              NOT NULL,
    name       VARCHAR(100)             NOT NULL,
    kind       VARCHAR(32)              NOT NULL,
    sealed     TEXT                     NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Grants: default deny; a grant gives tools (by name, namespace or tag) to a subject with an effect.
CREATE TABLE tools.tool_grant (
    id               UUID                     NOT NULL PRIMARY KEY,
    tenant_id        VARCHAR(63)              NOT NULL,
    subject          VARCHAR(200)             NOT NULL,
    tools            VARCHAR(200)             NOT NULL,
    effect           VARCHAR(20)              NOT NULL,
    argument_schema  TEXT,
    created_by       VARCHAR(100)             NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX tool_grant_by_tenant ON tools.tool_grant (tenant_id);

-- Every permission decision, and every execution, with what a reviewer needs and no secret.
CREATE TABLE tools.permission_decision (
    id          UUID                     NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)              NOT NULL,
    decided_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    caller      VARCHAR(100)             NOT NULL,
    agent       VARCHAR(100),
    tool        VARCHAR(200)             NOT NULL,
    effect      VARCHAR(20)              NOT NULL,
    reason      VARCHAR(1000)            NOT NULL,
    request_id  VARCHAR(128)
);
CREATE INDEX permission_decision_by_time ON tools.permission_decision (tenant_id, decided_at, id);

CREATE TABLE tools.execution (
    id              UUID                     NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(63)              NOT NULL,
    tool            VARCHAR(200)             NOT NULL,
    tool_version    INTEGER                  NOT NULL,
    caller          VARCHAR(100)             NOT NULL,
    agent           VARCHAR(100),
    idempotency_key VARCHAR(200),
    status          VARCHAR(20)              NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms     BIGINT                   NOT NULL,
    arguments       TEXT,
    result          TEXT,
    arguments_bytes INTEGER                  NOT NULL,
    result_bytes    INTEGER                  NOT NULL,
    truncated       BOOLEAN                  NOT NULL,
    error           VARCHAR(2000),
    CONSTRAINT execution_idempotency UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX execution_by_time ON tools.execution (tenant_id, started_at, id);
