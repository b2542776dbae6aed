-- The trace a run belongs to (W3C traceparent: each stretch of the run is a span under it), and the trace a webhook
-- delivery carries on to its receiver.
ALTER TABLE runtime.run ADD COLUMN trace_parent VARCHAR(55);
ALTER TABLE runtime.webhook_delivery ADD COLUMN trace_parent VARCHAR(55);
