-- The tools a run's agent names that the run was not offered, and why (JSON); null when it was offered every one.
ALTER TABLE runtime.run ADD COLUMN tools_withheld TEXT;
