-- Working-day calendar (internal/calendar): the years it knows, with the source of each
-- year's schedule, and the days that differ from the ordinary week: statutory holidays off,
-- adjusted working days (调休上班) on. A date in a year not listed here is refused.
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    source     TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,           -- 2006-01-02, in the organisation's time zone
    year       INTEGER NOT NULL REFERENCES calendar_years(year),
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- One row: the time zone and working hours ("09:00-12:00,13:30-17:30").
CREATE TABLE calendar_config (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    time_zone  TEXT NOT NULL,
    work_hours TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO calendar_config (id, time_zone, work_hours, updated_at) VALUES (1, 'Asia/Shanghai', '09:00-12:00,13:30-17:30', '2025-11-05 00:00:00+00:00');

INSERT INTO calendar_years (year, source, updated_at) VALUES (2025, '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）', '2025-11-05 00:00:00+00:00');
INSERT INTO calendar_years (year, source, updated_at) VALUES (2026, '国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）', '2025-11-05 00:00:00+00:00');
INSERT INTO calendar_days (day, year, kind, name, updated_at) VALUES
    ('2025-01-01', 2025, 'holiday', '元旦', '2025-11-05 00:00:00+00:00'),
    ('2025-01-26', 2025, 'workday', '春节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2025-01-28', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-01-29', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-01-30', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-01-31', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-02-01', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-02-02', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-02-03', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-02-04', 2025, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2025-02-08', 2025, 'workday', '春节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2025-04-04', 2025, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2025-04-05', 2025, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2025-04-06', 2025, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2025-04-27', 2025, 'workday', '劳动节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2025-05-01', 2025, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2025-05-02', 2025, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2025-05-03', 2025, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2025-05-04', 2025, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2025-05-05', 2025, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2025-05-31', 2025, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2025-06-01', 2025, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2025-06-02', 2025, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2025-09-28', 2025, 'workday', '国庆节、中秋节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2025-10-01', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-02', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-03', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-04', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-05', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-06', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-07', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-08', 2025, 'holiday', '国庆节、中秋节', '2025-11-05 00:00:00+00:00'),
    ('2025-10-11', 2025, 'workday', '国庆节、中秋节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-01-01', 2026, 'holiday', '元旦', '2025-11-05 00:00:00+00:00'),
    ('2026-01-02', 2026, 'holiday', '元旦', '2025-11-05 00:00:00+00:00'),
    ('2026-01-03', 2026, 'holiday', '元旦', '2025-11-05 00:00:00+00:00'),
    ('2026-01-04', 2026, 'workday', '元旦调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-02-14', 2026, 'workday', '春节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-02-15', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-16', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-17', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-18', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-19', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-20', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-21', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-22', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-23', 2026, 'holiday', '春节', '2025-11-05 00:00:00+00:00'),
    ('2026-02-28', 2026, 'workday', '春节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-04-04', 2026, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2026-04-05', 2026, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2026-04-06', 2026, 'holiday', '清明节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-01', 2026, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-02', 2026, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-03', 2026, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-04', 2026, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-05', 2026, 'holiday', '劳动节', '2025-11-05 00:00:00+00:00'),
    ('2026-05-09', 2026, 'workday', '劳动节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-06-19', 2026, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2026-06-20', 2026, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2026-06-21', 2026, 'holiday', '端午节', '2025-11-05 00:00:00+00:00'),
    ('2026-09-20', 2026, 'workday', '国庆节调休上班', '2025-11-05 00:00:00+00:00'),
    ('2026-09-25', 2026, 'holiday', '中秋节', '2025-11-05 00:00:00+00:00'),
    ('2026-09-26', 2026, 'holiday', '中秋节', '2025-11-05 00:00:00+00:00'),
    ('2026-09-27', 2026, 'holiday', '中秋节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-01', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-02', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-03', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-04', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-05', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-06', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-07', 2026, 'holiday', '国庆节', '2025-11-05 00:00:00+00:00'),
    ('2026-10-10', 2026, 'workday', '国庆节调休上班', '2025-11-05 00:00:00+00:00');

-- Complaint handling policy (docs/policies.md §6): one row, editable by an administrator.
CREATE TABLE complaint_policy (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    reply_hours           INTEGER NOT NULL CHECK (reply_hours > 0),
    solution_days         INTEGER NOT NULL CHECK (solution_days > 0),
    remind_before_minutes INTEGER NOT NULL CHECK (remind_before_minutes >= 0),
    restart_on_reassign   BOOLEAN NOT NULL DEFAULT 0,
    updated_at            TIMESTAMP NOT NULL
);
INSERT INTO complaint_policy (id, reply_hours, solution_days, remind_before_minutes, restart_on_reassign, updated_at)
VALUES (1, 24, 3, 240, 1, '2025-11-05 00:00:00+00:00');

-- A complaint. Times are UTC. classification is unclassified until the clerk decides;
-- only valid and major count in scores. sla_round grows when the solution clock restarts
-- (reopened, or reassigned when the policy says so), so a new deadline gets new reminders.
-- While paused (waiting on the complainant) solution_due_at is NULL and paused_remaining
-- holds the working seconds that were left.
CREATE TABLE complaints (
    id                    INTEGER PRIMARY KEY,
    tracking_code         TEXT NOT NULL UNIQUE,
    unit_id               INTEGER NOT NULL REFERENCES units(id),
    channel               TEXT NOT NULL,
    category              TEXT NOT NULL,
    complainant           TEXT NOT NULL,
    contact               TEXT NOT NULL DEFAULT '',
    contact_key           TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL,
    source_ref            TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    classification        TEXT NOT NULL DEFAULT 'unclassified',
    classification_reason TEXT NOT NULL DEFAULT '',
    classified_at         TIMESTAMP,
    received_at           TIMESTAMP NOT NULL,
    reply_due_at          TIMESTAMP NOT NULL,
    replied_at            TIMESTAMP,
    reply                 TEXT NOT NULL DEFAULT '',
    solution_due_at       TIMESTAMP,
    paused_at             TIMESTAMP,
    paused_remaining      INTEGER,
    resolved_at           TIMESTAMP,
    solution              TEXT NOT NULL DEFAULT '',
    root_cause            TEXT NOT NULL DEFAULT '',
    closed_at             TIMESTAMP,
    sla_round             INTEGER NOT NULL DEFAULT 1,
    client_key            TEXT NOT NULL DEFAULT '',
    created_by            INTEGER REFERENCES users(id),
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX complaints_unit_received ON complaints(unit_id, received_at);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_status ON complaints(status);
CREATE INDEX complaints_client ON complaints(client_key, created_at);
CREATE INDEX complaints_contact ON complaints(contact_key);

-- The complaint's timeline: every action with who and when.
CREATE TABLE complaint_events (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    at           TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, id);

-- Pauses of the solution clock while waiting on the complainant.
CREATE TABLE complaint_pauses (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    started_at   TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP,
    reason       TEXT NOT NULL
);
CREATE INDEX complaint_pauses_complaint ON complaint_pauses(complaint_id);

-- Attachments: images and PDF, size-limited and content-sniffed before they get here.
CREATE TABLE complaint_attachments (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX complaint_attachments_complaint ON complaint_attachments(complaint_id);

-- In-app reminders and escalations, written by the complaint_sla job. The unique key is
-- what keeps two instances, or a job run twice, from sending one twice.
CREATE TABLE complaint_notifications (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind         TEXT NOT NULL,
    sla_round    INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    due_at       TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (complaint_id, kind, sla_round)
);
CREATE INDEX complaint_notifications_created ON complaint_notifications(created_at);
