-- Tenants whose removal has begun: their queued runs are not taken and their schedules do not fire.
CREATE TABLE runtime.suspended_tenant (
    tenant_id VARCHAR(63)              NOT NULL PRIMARY KEY,
    since     TIMESTAMP WITH TIME ZONE NOT NULL
);
