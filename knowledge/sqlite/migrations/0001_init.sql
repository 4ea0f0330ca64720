-- Knowledge base schema for the embedded (SQLite) store.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

INSERT INTO meta (key, value) VALUES ('generation', '1');

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    issuer       TEXT NOT NULL DEFAULT '',
    locality     TEXT NOT NULL DEFAULT '',
    locality_key TEXT NOT NULL DEFAULT '',
    number       TEXT NOT NULL DEFAULT '',
    dates        TEXT NOT NULL DEFAULT '[]',
    url          TEXT NOT NULL DEFAULT '',
    enabled      INTEGER NOT NULL DEFAULT 1,
    version      INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL DEFAULT '',
    procedure    TEXT,
    locked       TEXT NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX documents_kind ON documents (kind);

CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    section     TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    head_terms  TEXT NOT NULL,
    body_terms  TEXT NOT NULL,
    head_len    INTEGER NOT NULL,
    body_len    INTEGER NOT NULL,
    embedding   BLOB
) STRICT;

CREATE INDEX chunks_document ON chunks (document_id, ord);

-- Full-text index over the analysed terms of enabled documents' chunks (rowid = chunks.id).
-- The terms are already analysed (vietnamese.Analyzer) and lower case, so the tokenizer only
-- splits on spaces: the ascii tokenizer takes every non-ASCII byte (Vietnamese letters) as part
-- of a token, and tokenchars adds the punctuation terms may contain.
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    head, body,
    content = '', contentless_delete = 1,
    tokenize = "ascii tokenchars '/-.,&_%'"
);

CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab (chunks_fts, 'row');

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    user_key   TEXT NOT NULL DEFAULT '',
    audience   TEXT NOT NULL DEFAULT 'citizen',
    state      TEXT NOT NULL DEFAULT '{}',
    operator   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX sessions_user ON sessions (channel, user_key) WHERE user_key <> '';

CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    role       TEXT NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    grounded   INTEGER NOT NULL DEFAULT 0,
    citations  TEXT NOT NULL DEFAULT '[]',
    status     TEXT NOT NULL DEFAULT 'complete',
    detail     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (session_id, seq)
) STRICT;

CREATE TABLE feedback (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    rating     TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE connector_events (
    channel    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel, event_id)
) STRICT;

CREATE INDEX connector_events_age ON connector_events (created_at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
