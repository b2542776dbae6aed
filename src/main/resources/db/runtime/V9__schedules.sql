-- Schedules that start a run of an agent with a given input at the times of a cron expression.
CREATE TABLE runtime.schedule (
    id          UUID                     NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)              NOT NULL,
    agent_slug  VARCHAR(63)              NOT NULL,
    version     INTEGER,
    input       TEXT                     NOT NULL,
    variables   TEXT                     NOT NULL,
    cron        VARCHAR(200)             NOT NULL,
    time_zone   VARCHAR(60)              NOT NULL,
    paused      BOOLEAN                  NOT NULL,
    next_run_at TIMESTAMP WITH TIME ZONE,
    run_as      TEXT                     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX schedule_due ON runtime.schedule (paused, next_run_at);
CREATE INDEX schedule_by_tenant ON runtime.schedule (tenant_id, created_at);

-- One row per due time a schedule fired at: the key makes a due time fire once, however many instances look.
CREATE TABLE runtime.schedule_fire (
    schedule_id UUID                     NOT NULL REFERENCES runtime.schedule (id) ON DELETE CASCADE,
    due_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    run_id      UUID,
    error       VARCHAR(2000),
    fired_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (schedule_id, due_at)
);
