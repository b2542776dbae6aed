-- Users log in with a password (Argon2id hash) and get short-lived JWTs plus rotating refresh tokens.
CREATE TABLE gateway.user_account (
    id              UUID                     NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(63)              NOT NULL,
    email           VARCHAR(320)             NOT NULL,
    display_name    VARCHAR(200)             NOT NULL,
    password_hash   VARCHAR(500)             NOT NULL,
    role            VARCHAR(16)              NOT NULL,
    failed_attempts INTEGER                  NOT NULL,
    locked_until    TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    disabled_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT user_email_per_tenant UNIQUE (tenant_id, email)
);

-- Refresh tokens: only digests; a family is one login's chain of rotations, revoked whole on logout or reuse.
CREATE TABLE gateway.refresh_token (
    id           UUID                     NOT NULL PRIMARY KEY,
    family_id    UUID                     NOT NULL,
    user_id      UUID                     NOT NULL REFERENCES gateway.user_account (id) ON DELETE CASCADE,
    tenant_id    VARCHAR(63)              NOT NULL,
    token_digest CHAR(64)                 NOT NULL UNIQUE,
    issued_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at      TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX refresh_token_family ON gateway.refresh_token (family_id);

-- Keys that sign our JWTs; the private part is sealed with the master key. Published at the JWKS endpoint until
-- retired, so tokens signed before a rotation still verify.
CREATE TABLE gateway.signing_key (
    kid         VARCHAR(64)              NOT NULL PRIMARY KEY,
    public_jwk  TEXT                     NOT NULL,
    private_jwk TEXT                     NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    retire_at   TIMESTAMP WITH TIME ZONE
);
