-- Spending budgets: a tenant's (agent_slug '') or one agent's, per UTC day or month, in tokens and/or estimated USD.
-- The usage of the current period is kept on the row (reset when a new period begins), with the highest threshold
-- (80, 100) already notified in it.
CREATE TABLE runtime.budget (
    id           UUID                     NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(63)              NOT NULL,
    agent_slug   VARCHAR(63)              NOT NULL,
    period       VARCHAR(10)              NOT NULL,
    max_tokens   BIGINT,
    max_cost_usd DECIMAL(20, 8),
    period_start TIMESTAMP WITH TIME ZONE NOT NULL,
    tokens_used  BIGINT                   NOT NULL,
    cost_used    DECIMAL(20, 8)           NOT NULL,
    notified     INTEGER                  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT one_budget_per_scope UNIQUE (tenant_id, agent_slug, period)
);

-- A delivery may be about more than its run: a budget's notice names the budget, so that two budgets crossing a
-- threshold on the same step of a run are two deliveries ('' for a run's own outcome).
ALTER TABLE runtime.webhook_delivery ADD COLUMN subject VARCHAR(63) DEFAULT '' NOT NULL;
ALTER TABLE runtime.webhook_delivery DROP CONSTRAINT webhook_delivery_once;
ALTER TABLE runtime.webhook_delivery ADD CONSTRAINT webhook_delivery_once UNIQUE (run_id, url, event, occurred_at, subject);
