-- Agent deletions under way: the agent is withdrawn (status 'deleting') while the modules that may depend on it are
-- asked; a deletion that cannot finish puts the agent back as it was, from what is kept here.
CREATE TABLE agents.agent_deletion (
    agent_id            UUID                     NOT NULL PRIMARY KEY REFERENCES agents.agent (id) ON DELETE CASCADE,
    tenant_id           VARCHAR(63)              NOT NULL,
    previous_status     VARCHAR(16)              NOT NULL,
    previous_revision   BIGINT                   NOT NULL,
    previous_updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX agent_deletion_by_start ON agents.agent_deletion (started_at);
