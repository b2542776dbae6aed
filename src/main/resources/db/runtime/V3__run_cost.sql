-- Estimated cost of a run in USD, from the installation's price table (null when the model has no price).
ALTER TABLE runtime.run ADD COLUMN estimated_cost_usd NUMERIC(18, 8);
