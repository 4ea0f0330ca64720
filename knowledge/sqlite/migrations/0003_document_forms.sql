-- The short forms a document defines ("Người nộp thuế (NNT)"), found at ingestion
-- (knowledge.DefinedForms); the index learns from them.
ALTER TABLE documents ADD COLUMN forms TEXT NOT NULL DEFAULT '[]';
