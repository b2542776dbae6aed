-- Per-tenant overrides of the configured rate limits, one row per route class.
CREATE TABLE gateway.rate_limit_override (
    tenant_id          VARCHAR(63)              NOT NULL,
    route_class        VARCHAR(16)              NOT NULL,
    principal_capacity BIGINT                   NOT NULL,
    tenant_capacity    BIGINT                   NOT NULL,
    period_seconds     BIGINT                   NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, route_class)
);
