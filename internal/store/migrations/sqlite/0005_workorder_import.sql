-- Work orders: bulk import, service-improvement items and the callers' duty roster
-- (internal/workorder, docs/policies.md §4, seed 003).

-- An uploaded fault workbook. While staged it keeps the file for its mapping screen; once
-- imported only its checksum, mapping and counts stay (the orders point back to it).
CREATE TABLE workorder_imports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB,
    mapping_json TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('staged', 'importing', 'imported')),
    rows_total   INTEGER NOT NULL DEFAULT 0,
    imported     INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    good_only    BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    imported_at  TIMESTAMP
);
CREATE INDEX workorder_imports_status ON workorder_imports(status, created_at);

ALTER TABLE work_orders ADD COLUMN import_id INTEGER REFERENCES workorder_imports(id);
ALTER TABLE work_orders ADD COLUMN import_row INTEGER;
-- An import skips rows that are already orders: same phone, report time and device.
CREATE INDEX work_orders_phone_reported ON work_orders(phone, reported_at);
-- Foreign-key look-ups: clearing staged imports and deleting orders must not scan every order.
CREATE INDEX work_orders_import ON work_orders(import_id);
CREATE INDEX work_orders_repeat_of ON work_orders(repeat_of);

-- A service-improvement item (服务改善项目) of the improvement tracking table
-- (改善项目跟踪管理表): raised from a dissatisfaction follow-up or directly, done by its due
-- day and confirmed (or reopened) at the fault analysis meeting.
CREATE TABLE workorder_improvements (
    id          INTEGER PRIMARY KEY,
    followup_id INTEGER UNIQUE REFERENCES workorder_followups(id),
    team_id     INTEGER NOT NULL REFERENCES units(id),
    title       TEXT NOT NULL,
    problem     TEXT NOT NULL,
    measures    TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    progress    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('open', 'done', 'confirmed', 'reopened')),
    decision    TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX workorder_improvements_team ON workorder_improvements(team_id, status);

-- Who makes callbacks on a day. A day with no rows falls back to everyone holding the
-- dispatcher or manager role.
CREATE TABLE workorder_duty (
    day       TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (day, person_id)
);

-- A task's deadline moved by a day for a special case (特殊情况顺延至次日), with the reason;
-- empty when it was not. A task is extended at most once.
ALTER TABLE workorder_tasks ADD COLUMN extension_reason TEXT NOT NULL DEFAULT '';
