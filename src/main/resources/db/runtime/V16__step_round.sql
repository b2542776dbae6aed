-- The model round a step belongs to (1 for the first model call and the tool calls it asked for, 2 for the next, …):
-- the number the run's events carry as "round". Steps recorded before it have none.
ALTER TABLE runtime.run_step ADD COLUMN round_no INTEGER;
