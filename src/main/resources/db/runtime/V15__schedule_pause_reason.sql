-- Why the platform paused a schedule (its maker may no longer run it, its agent was archived or deleted); NULL when
-- it runs or a person paused it.
ALTER TABLE runtime.schedule ADD COLUMN paused_reason VARCHAR(1000);
