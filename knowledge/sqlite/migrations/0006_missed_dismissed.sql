-- Groups of missed questions operators dealt with (the console's unanswered queue).
CREATE TABLE missed_dismissed (
    key          TEXT PRIMARY KEY,
    dismissed_by TEXT NOT NULL,
    dismissed_at INTEGER NOT NULL
);
