-- When work on a run began: at once for a run started at once, when a worker first claimed it for a queued one (null
-- while it waits in the queue). started_at stays when the run was accepted (its order in lists and the queue).
ALTER TABLE runtime.run ADD COLUMN began_at TIMESTAMP WITH TIME ZONE;
UPDATE runtime.run SET began_at = started_at WHERE status <> 'queued';
