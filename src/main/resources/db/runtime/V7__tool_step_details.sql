-- A tool step's arguments (secret-looking fields masked), the size of its result and the tool execution it made.
ALTER TABLE runtime.run_step ADD COLUMN arguments TEXT;
ALTER TABLE runtime.run_step ADD COLUMN result_bytes INTEGER;
ALTER TABLE runtime.run_step ADD COLUMN execution_id UUID;
