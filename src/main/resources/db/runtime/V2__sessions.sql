-- Sessions: conversation threads whose messages each run of the session continues. One turn at a time.
CREATE TABLE runtime.session (
    id           UUID                     NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(63)              NOT NULL,
    agent_slug   VARCHAR(63),
    metadata     TEXT                     NOT NULL,
    busy_run_id  UUID,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX session_by_tenant ON runtime.session (tenant_id, updated_at);

CREATE TABLE runtime.session_message (
    session_id UUID                     NOT NULL REFERENCES runtime.session (id) ON DELETE CASCADE,
    seq        INTEGER                  NOT NULL,
    role       VARCHAR(10)              NOT NULL,
    content    TEXT,
    tool_calls TEXT,
    run_id     UUID,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (session_id, seq)
);

ALTER TABLE runtime.run ADD COLUMN session_id UUID;
