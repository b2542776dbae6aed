-- Everything a run reports while it runs, in order: what a stream sends and what a reconnecting client replays.
CREATE TABLE runtime.run_event (
    run_id     UUID                     NOT NULL REFERENCES runtime.run (id) ON DELETE CASCADE,
    seq        INTEGER                  NOT NULL,
    type       VARCHAR(40)              NOT NULL,
    data       TEXT                     NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Where a run stopped to wait for a human (its conversation and the tool calls of its last step), to go on from.
CREATE TABLE runtime.run_checkpoint (
    run_id     UUID                     NOT NULL PRIMARY KEY REFERENCES runtime.run (id) ON DELETE CASCADE,
    state      TEXT                     NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Why a run did not complete, as a stable code (provider_rate_limited, max_steps, …); error keeps the message.
ALTER TABLE runtime.run ADD COLUMN error_code VARCHAR(40);
