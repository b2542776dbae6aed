-- Only a run in progress holds a lease (a run's end gives it up in the same update), so an instance finds the runs it
-- holds through run_queue (status, queued_at) among the few in progress. An index of its own on lease_owner was kept
-- up to date at every run's start and end — two of the ten index writes of a one-step run — for a renewal every 10 s.
DROP INDEX IF EXISTS runtime.run_leases;
