-- API keys: only the SHA-256 digest of the secret is ever stored.
CREATE TABLE gateway.api_key (
    id            VARCHAR(12)              NOT NULL PRIMARY KEY,
    tenant_id     VARCHAR(63)              NOT NULL,
    name          VARCHAR(200)             NOT NULL,
    secret_digest CHAR(64)                 NOT NULL,
    scopes        VARCHAR(1000)            NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_key_tenant_idx ON gateway.api_key (tenant_id);
