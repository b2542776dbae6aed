-- What a run started at once (sync or streamed) starts from — as whom it runs, its instructions and input — is kept
-- with the run itself until its end, instead of in a checkpoint row written and deleted again for every run.
ALTER TABLE runtime.run ADD COLUMN start_state TEXT;
