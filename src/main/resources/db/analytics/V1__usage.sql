-- Usage aggregates, kept up to date as runs end (from the runtime's RunEnded events, never its tables): one row per
-- tenant, UTC day, agent, version and model ('' where not known), and beside them the runs' working-time histogram,
-- their tools and their sessions. A report over any range adds up rows of days, whatever the number of runs.

-- The stretches of runs taken so far (a run's start to its end, or to a wait for a person, or from a decision on): what
-- makes an event delivered twice count once, and a run's working time add up over its stretches.
CREATE TABLE analytics.stretch (
    run_id    UUID                     NOT NULL,
    steps     INTEGER                  NOT NULL,
    status    VARCHAR(20)              NOT NULL,
    tenant_id VARCHAR(63)              NOT NULL,
    worked_ms BIGINT                   NOT NULL,
    ended_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (run_id, steps, status)
);
CREATE INDEX stretch_by_tenant ON analytics.stretch (tenant_id);

CREATE TABLE analytics.usage_day (
    tenant_id     VARCHAR(63)    NOT NULL,
    utc_day       DATE           NOT NULL,
    agent_slug    VARCHAR(63)    NOT NULL,
    version       INTEGER        NOT NULL,
    provider      VARCHAR(32)    NOT NULL,
    model         VARCHAR(200)   NOT NULL,
    runs          BIGINT         NOT NULL,
    completed     BIGINT         NOT NULL,
    failed        BIGINT         NOT NULL,
    cancelled     BIGINT         NOT NULL,
    timed_out     BIGINT         NOT NULL,
    waits         BIGINT         NOT NULL,
    turns         BIGINT         NOT NULL,
    model_calls   BIGINT         NOT NULL,
    tool_calls    BIGINT         NOT NULL,
    tool_failures BIGINT         NOT NULL,
    tokens_in     BIGINT         NOT NULL,
    tokens_out    BIGINT         NOT NULL,
    cost_usd      DECIMAL(24, 8) NOT NULL,
    -- Tokens of models without a configured price: their cost is not in cost_usd.
    unpriced_tokens BIGINT       NOT NULL,
    worked_ms     BIGINT         NOT NULL,
    PRIMARY KEY (tenant_id, utc_day, agent_slug, version, provider, model)
);

-- How many runs that ended took each span of working time (log-spaced buckets, see LatencyBuckets).
CREATE TABLE analytics.latency_day (
    tenant_id  VARCHAR(63)  NOT NULL,
    utc_day     DATE         NOT NULL,
    agent_slug VARCHAR(63)  NOT NULL,
    version    INTEGER      NOT NULL,
    provider   VARCHAR(32)  NOT NULL,
    model      VARCHAR(200) NOT NULL,
    bucket     INTEGER      NOT NULL,
    runs       BIGINT       NOT NULL,
    PRIMARY KEY (tenant_id, utc_day, agent_slug, version, provider, model, bucket)
);

CREATE TABLE analytics.tool_day (
    tenant_id   VARCHAR(63)  NOT NULL,
    utc_day      DATE         NOT NULL,
    agent_slug  VARCHAR(63)  NOT NULL,
    version     INTEGER      NOT NULL,
    tool        VARCHAR(200) NOT NULL,
    calls       BIGINT       NOT NULL,
    failures    BIGINT       NOT NULL,
    duration_ms BIGINT       NOT NULL,
    PRIMARY KEY (tenant_id, utc_day, agent_slug, version, tool)
);

-- The sessions that had a run end on a day: distinct sessions over any range and grouping are counted from here.
CREATE TABLE analytics.session_day (
    tenant_id  VARCHAR(63)  NOT NULL,
    utc_day     DATE         NOT NULL,
    agent_slug VARCHAR(63)  NOT NULL,
    version    INTEGER      NOT NULL,
    provider   VARCHAR(32)  NOT NULL,
    model      VARCHAR(200) NOT NULL,
    session_id UUID         NOT NULL,
    PRIMARY KEY (tenant_id, utc_day, agent_slug, version, provider, model, session_id)
);
