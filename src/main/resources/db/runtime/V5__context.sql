-- A session's running summary of the turns that no longer fit its agent's context window, and the last message it
-- covers; later turns start from it instead of summarising again.
ALTER TABLE runtime.session ADD COLUMN summary TEXT;
ALTER TABLE runtime.session ADD COLUMN summary_through INTEGER;

-- What fitting the context window did for a run (turns dropped or summarised, tool results trimmed), as JSON.
ALTER TABLE runtime.run ADD COLUMN context_report TEXT;
