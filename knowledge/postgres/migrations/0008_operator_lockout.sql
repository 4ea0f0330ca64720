-- Wrong passwords since the last sign-in, and the lockout they lead to.
ALTER TABLE operators ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN locked_until timestamptz;
