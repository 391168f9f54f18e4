-- Outbound webhooks: an administrator registers a URL, a secret and the events it wants; the
-- audit log is the outbox (every change is there, in the change's transaction), so a webhook
-- reads on from last_seal_seq (the sealer numbers committed entries without gaps, so nothing
-- committed late is skipped) and each matching entry becomes a delivery, retried with
-- back-off until it is accepted or given up. The secret signs each delivery (HMAC-SHA256);
-- it is kept, not hashed, because signing needs it.
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL,
    events        TEXT NOT NULL,
    allow_private BOOLEAN NOT NULL DEFAULT 0,
    active        BOOLEAN NOT NULL DEFAULT 1,
    last_seal_seq INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks(id),
    audit_id     INTEGER NOT NULL,
    event        TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TIMESTAMP NOT NULL,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (webhook_id, audit_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);
