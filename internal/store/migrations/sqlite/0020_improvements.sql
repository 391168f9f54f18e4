-- One improvement loop (改善项目, internal/improvement): the items of the tracking table
-- (改善项目跟踪管理表) from every source, not only the work orders' follow-ups. The work-order
-- items move here with their ids, so links and audit entries to them stay valid; a 'confirmed'
-- item is 'verified' (by the clerk, which is who recorded the fault analysis meeting's word).
-- source_kind and source_ref name the record the item was raised from ('direct': none, ref is
-- the item's own id so the pair stays unique); one item per source record. source_url is the
-- source's page as it was when the item was raised.
CREATE TABLE improvements (
    id          INTEGER PRIMARY KEY,
    source_kind TEXT NOT NULL,
    source_ref  TEXT NOT NULL,
    source_on   TEXT NOT NULL,
    source_url  TEXT NOT NULL DEFAULT '',
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    title       TEXT NOT NULL,
    problem     TEXT NOT NULL,
    cause       TEXT NOT NULL DEFAULT '',
    measures    TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('open', 'done', 'verified', 'reopened')),
    decision    TEXT NOT NULL DEFAULT '',
    verified_by TEXT NOT NULL DEFAULT '' CHECK (verified_by IN ('', 'clerk', 'meeting')),
    meeting_id  INTEGER,
    verified_at TIMESTAMP,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (source_kind, source_ref)
);
CREATE INDEX improvements_unit ON improvements(unit_id, status, due_on);
CREATE INDEX improvements_status_due ON improvements(status, due_on);

INSERT INTO improvements (id, source_kind, source_ref, source_url, source_on, unit_id, title, problem, measures, owner, due_on, evidence,
    status, decision, verified_by, verified_at, created_by, created_at, updated_at)
SELECT i.id, CASE WHEN i.followup_id IS NULL THEN 'direct' ELSE 'workorder_followup' END,
    CAST(COALESCE(i.followup_id, i.id) AS TEXT), CASE WHEN i.followup_id IS NULL THEN '' ELSE '/workorders/followups/' || CAST(i.followup_id AS TEXT) END, substr(CAST(i.created_at AS TEXT), 1, 10), i.team_id, i.title, i.problem, i.measures, i.owner, i.due_on, i.progress,
    CASE i.status WHEN 'confirmed' THEN 'verified' ELSE i.status END, i.decision,
    CASE i.status WHEN 'confirmed' THEN 'clerk' ELSE '' END, CASE i.status WHEN 'confirmed' THEN i.updated_at END,
    i.created_by, i.created_at, i.updated_at
FROM workorder_improvements i;

DROP TABLE workorder_improvements;
