-- The operators' console: accounts and the append-only audit log of their changes.
CREATE TABLE operators (
	id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	name          text        NOT NULL UNIQUE,
	role          text        NOT NULL,
	password_hash text        NOT NULL,
	disabled      boolean     NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
	id      bigserial   PRIMARY KEY,
	actor   text        NOT NULL,
	action  text        NOT NULL,
	target  text        NOT NULL,
	detail  text        NOT NULL,
	address text        NOT NULL,
	at      timestamptz NOT NULL DEFAULT now()
);
