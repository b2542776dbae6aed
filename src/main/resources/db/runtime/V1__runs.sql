-- Runs of agents and their steps (model calls and tool calls), owned by the runtime.
CREATE TABLE runtime.run (
    id            UUID                     NOT NULL PRIMARY KEY,
    tenant_id     VARCHAR(63)              NOT NULL,
    agent_id      UUID                     NOT NULL,
    agent_slug    VARCHAR(63)              NOT NULL,
    agent_version INTEGER                  NOT NULL,
    caller        VARCHAR(100)             NOT NULL,
    status        VARCHAR(20)              NOT NULL,
    input         TEXT                     NOT NULL,
    output        TEXT,
    error         VARCHAR(2000),
    steps         INTEGER                  NOT NULL,
    tokens_in     BIGINT                   NOT NULL,
    tokens_out    BIGINT                   NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX run_by_tenant_time ON runtime.run (tenant_id, started_at, id);
CREATE INDEX run_by_agent ON runtime.run (tenant_id, agent_id, started_at);

CREATE TABLE runtime.run_step (
    run_id      UUID                     NOT NULL REFERENCES runtime.run (id) ON DELETE CASCADE,
    step_no     INTEGER                  NOT NULL,
    kind        VARCHAR(10)              NOT NULL,
    name        VARCHAR(200)             NOT NULL,
    outcome     VARCHAR(30)              NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms BIGINT                   NOT NULL,
    tokens_in   BIGINT                   NOT NULL,
    tokens_out  BIGINT                   NOT NULL,
    detail      TEXT,
    PRIMARY KEY (run_id, step_no)
);
