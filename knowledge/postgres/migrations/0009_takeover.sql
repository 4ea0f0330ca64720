-- Takeover by operators: where a platform user can be reached (sealed by the connector) and
-- when the person asked for a member of staff.
ALTER TABLE sessions ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN human_requested timestamptz;
CREATE INDEX sessions_waiting ON sessions (human_requested) WHERE human_requested IS NOT NULL OR operator <> '';
-- Notices to the person (staff joined or left, a request queued) are messages too.
ALTER TABLE messages DROP CONSTRAINT messages_role_check;
ALTER TABLE messages ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'operator', 'notice'));
