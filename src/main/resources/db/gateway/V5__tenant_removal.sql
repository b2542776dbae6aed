-- A tenant being removed: 'suspending' while the services are asked to stop its work (undone if one cannot be),
-- then 'removing' while they erase what they keep of it; the tenant's row goes last.
ALTER TABLE gateway.tenant ADD COLUMN status VARCHAR(16) DEFAULT 'active' NOT NULL;
ALTER TABLE gateway.tenant ADD COLUMN removal_started_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE gateway.tenant ADD COLUMN removal_pending VARCHAR(200);
