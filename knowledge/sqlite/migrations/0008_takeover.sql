-- Takeover by operators: where a platform user can be reached (sealed by the connector) and
-- when the person asked for a member of staff.
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN human_requested INTEGER NOT NULL DEFAULT 0;
