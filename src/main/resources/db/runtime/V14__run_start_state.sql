-- What a new run starts from (as whom it runs, its instructions and input) is kept with the run itself until its
-- first checkpoint or its end, instead of in a checkpoint row of its own written and deleted again for every run.
ALTER TABLE runtime.run ADD COLUMN start_state TEXT;
