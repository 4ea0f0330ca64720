-- The procedures an answer offers to choose from (knowledge.EncodeChoices).
ALTER TABLE messages ADD COLUMN choices jsonb NOT NULL DEFAULT '[]';
