CREATE TABLE tokens (
	hash text PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	expires_at timestamptz NOT NULL
);
