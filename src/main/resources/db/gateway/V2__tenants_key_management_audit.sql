-- Tenants (workspaces); every installation has the 'default' one.
CREATE TABLE gateway.tenant (
    id         VARCHAR(63)              NOT NULL PRIMARY KEY,
    name       VARCHAR(200)             NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO gateway.tenant (id, name, created_at) VALUES ('default', 'Default', CURRENT_TIMESTAMP);

-- Key management: who made a key, when it stops working, when it was last used, which agents it may touch, and
-- which key replaced it on rotation.
ALTER TABLE gateway.api_key ADD COLUMN created_by VARCHAR(100);
ALTER TABLE gateway.api_key ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE gateway.api_key ADD COLUMN last_used_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE gateway.api_key ADD COLUMN agents VARCHAR(4000);
ALTER TABLE gateway.api_key ADD COLUMN replaced_by VARCHAR(12);

-- The audit log: who did what to what, with which outcome. Never holds a secret.
CREATE TABLE gateway.audit_event (
    id          UUID                     NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)              NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor       VARCHAR(100)             NOT NULL,
    action      VARCHAR(64)              NOT NULL,
    target      VARCHAR(200),
    outcome     VARCHAR(16)              NOT NULL,
    detail      VARCHAR(2000),
    request_id  VARCHAR(128)
);
CREATE INDEX audit_event_by_time ON gateway.audit_event (tenant_id, occurred_at, id);
CREATE INDEX audit_event_by_action ON gateway.audit_event (tenant_id, action, occurred_at);
