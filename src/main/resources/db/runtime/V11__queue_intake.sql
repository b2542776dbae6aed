-- Run requests taken from the message queue, by the idempotency key their sender gave: a redelivered message does
-- not start a second run.
CREATE TABLE runtime.intake (
    tenant_id       VARCHAR(63)              NOT NULL,
    idempotency_key VARCHAR(255)             NOT NULL,
    run_id          UUID                     NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
