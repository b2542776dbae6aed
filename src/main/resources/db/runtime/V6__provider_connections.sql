-- Model provider connections a tenant defines itself: where to reach the provider, which models it offers, and a
-- reference to its key (a credential of the tools module's store, or an allowed environment variable) — never the key.
CREATE TABLE runtime.provider_connection (
    tenant_id       VARCHAR(63)              NOT NULL,
    name            VARCHAR(63)              NOT NULL,
    type            VARCHAR(20)              NOT NULL,
    base_url        VARCHAR(2000),
    models          TEXT                     NOT NULL,
    credential      VARCHAR(200),
    timeout_seconds INTEGER                  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
