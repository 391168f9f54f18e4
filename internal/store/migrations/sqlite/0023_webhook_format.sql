-- The body format of a webhook's deliveries: manyi (the signed event JSON), or a WeCom or
-- DingTalk group robot's markdown message, so a team's group gets its events directly.
-- Robots other than DingTalk's signed ones take no secret, so a secret may now be empty.
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'manyi';

-- One row per attempt to send a delivery, so the delivery log shows what each attempt got
-- (a receiver that failed twice and then accepted shows 503, 503, 200), not only the last.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          TIMESTAMP NOT NULL,
    status      INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempt);
