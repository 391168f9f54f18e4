-- The first answer to an API write sent with an Idempotency-Key, replayed to a retry with the
-- same key from the same credential (user and token; token 0 for a session), so a client that
-- lost the answer can retry without storing twice. status 0 marks a request still running.
CREATE TABLE api_idempotency (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    token_id     INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    location     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (user_id, token_id, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);
