-- Service bookings (服务预约, internal/booking; seed 002 服务质量的管理制度): a customer books a
-- service by phone or on the public form, the unit responds (服务响应) and sends someone within
-- the promised window, the customer confirms the work, and a follow-up call (回访) asks how
-- satisfied they were. The response within 24 hours and the on-time rate are measured here.
CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    channel          TEXT NOT NULL CHECK (channel IN ('phone', 'web')),
    customer         TEXT NOT NULL,
    phone            TEXT NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    service          TEXT NOT NULL,
    booked_at        TIMESTAMP NOT NULL,
    window_start     TIMESTAMP NOT NULL,
    window_end       TIMESTAMP NOT NULL,
    responded_at     TIMESTAMP,
    responder        TEXT NOT NULL DEFAULT '',
    arrived_at       TIMESTAMP,
    completed_at     TIMESTAMP,
    confirmed_at     TIMESTAMP,
    followed_up_at   TIMESTAMP,
    followed_up_by   TEXT NOT NULL DEFAULT '',
    satisfaction     INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    followup_note    TEXT NOT NULL DEFAULT '',
    -- The public form: a hash of the client's address for the hourly limit, and of the form's
    -- idempotency key so that a resubmitted form is stored once.
    client_key       TEXT NOT NULL DEFAULT '',
    idempotency_hash TEXT UNIQUE,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX bookings_booked ON bookings(booked_at, unit_id);
CREATE INDEX bookings_window ON bookings(window_start, unit_id);
CREATE INDEX bookings_client ON bookings(client_key, created_at);
