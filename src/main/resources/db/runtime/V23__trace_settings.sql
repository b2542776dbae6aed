-- What a tenant lets its runs' traces hold: prompts, answers and tool arguments and results only when it opted in.
-- No row: the defaults (nothing of the content).
CREATE TABLE runtime.trace_setting (
    tenant_id       VARCHAR(63)              NOT NULL PRIMARY KEY,
    capture_content BOOLEAN                  NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by      VARCHAR(200)             NOT NULL
);
