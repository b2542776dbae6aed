-- V12 indexed lease_owner a second time (V8's run_leases already does): every run's start and end kept both up to date.
DROP INDEX IF EXISTS runtime.run_lease_owner;
