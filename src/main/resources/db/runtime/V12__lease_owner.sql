-- Each instance renews all its leases in one statement and lists the runs it still holds by owner.
CREATE INDEX run_lease_owner ON runtime.run (lease_owner);
