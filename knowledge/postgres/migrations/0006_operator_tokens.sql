-- Signed-in operators' bearer tokens, kept by their SHA-256.
CREATE TABLE operator_tokens (
	hash        text        PRIMARY KEY,
	operator_id uuid        NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	created_at  timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	revoked     boolean     NOT NULL DEFAULT false
);
