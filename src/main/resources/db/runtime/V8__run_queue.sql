-- The durable run queue: a run waits 'queued' from queued_at; the instance working on it holds a lease it renews
-- (lease_owner until lease_expires_at). A run whose lease expired — its instance died — is taken over by another.
ALTER TABLE runtime.run ADD COLUMN queued_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE runtime.run ADD COLUMN lease_owner VARCHAR(100);
ALTER TABLE runtime.run ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE runtime.run ADD COLUMN attempts INTEGER DEFAULT 0 NOT NULL;
CREATE INDEX run_queue ON runtime.run (status, queued_at);
CREATE INDEX run_leases ON runtime.run (lease_owner);
