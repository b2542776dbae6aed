-- How many calls of a tool may run at once (its bulkhead).
ALTER TABLE tools.tool ADD COLUMN max_concurrency INTEGER NOT NULL DEFAULT 16;
