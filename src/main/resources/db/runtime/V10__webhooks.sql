-- Webhooks: a run's own (run.webhook_url), a tenant's subscriptions (all runs, or one agent's), a signing secret
-- per tenant (sealed with the master key), and the deliveries with their retries and dead letters.
ALTER TABLE runtime.run ADD COLUMN webhook_url VARCHAR(2000);

CREATE TABLE runtime.webhook (
    id         UUID                     NOT NULL PRIMARY KEY,
    tenant_id  VARCHAR(63)              NOT NULL,
    url        VARCHAR(2000)            NOT NULL,
    agent_slug VARCHAR(63),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX webhook_by_tenant ON runtime.webhook (tenant_id);

CREATE TABLE runtime.webhook_secret (
    tenant_id  VARCHAR(63)              NOT NULL PRIMARY KEY,
    sealed     TEXT                     NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE runtime.webhook_delivery (
    id              UUID                     NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(63)              NOT NULL,
    run_id          UUID                     NOT NULL,
    url             VARCHAR(2000)            NOT NULL,
    event           VARCHAR(40)              NOT NULL,
    occurred_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    payload         TEXT                     NOT NULL,
    status          VARCHAR(20)              NOT NULL,
    attempts        INTEGER                  NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    lease_until     TIMESTAMP WITH TIME ZONE,
    last_error      VARCHAR(2000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT webhook_delivery_once UNIQUE (run_id, url, event, occurred_at)
);
CREATE INDEX webhook_delivery_due ON runtime.webhook_delivery (status, next_attempt_at);
CREATE INDEX webhook_delivery_by_tenant ON runtime.webhook_delivery (tenant_id, status, created_at);
