-- Groups of missed questions operators dealt with (the console's unanswered queue).
CREATE TABLE missed_dismissed (
	key          text        PRIMARY KEY,
	dismissed_by text        NOT NULL,
	dismissed_at timestamptz NOT NULL
);
