CREATE TABLE tokens (
	hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	expires_at TEXT NOT NULL
);
