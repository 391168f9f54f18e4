-- The quarterly quality analysis meeting (质量分析会, docs/policies.md §3; internal/meeting):
-- one record per organisation and quarter, held on the 10th of the quarter's first month. Its
-- agenda is computed from the quarter's records; the minutes are its findings, each a
-- problem, its cause and the remedy, which can become an improvement item.
CREATE TABLE quality_meetings (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES units(id),
    quarter     TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    attendees   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('planned', 'held')),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, quarter)
);

CREATE TABLE quality_meeting_findings (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES quality_meetings(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    problem    TEXT NOT NULL,
    cause      TEXT NOT NULL,
    remedy     TEXT NOT NULL,
    owner      TEXT NOT NULL DEFAULT '',
    due_on     TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX quality_meeting_findings_meeting ON quality_meeting_findings(meeting_id, id);
