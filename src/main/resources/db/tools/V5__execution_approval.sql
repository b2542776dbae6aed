-- Who approved a call that a require_approval grant held back (null when no approval was needed).
ALTER TABLE tools.execution ADD COLUMN approved_by VARCHAR(100);
