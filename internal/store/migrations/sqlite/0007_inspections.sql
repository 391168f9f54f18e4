-- Inspections (internal/inspection): checklists of service standards, versioned per code;
-- inspections with their findings, photos, sign-offs and rectifications; in-app notices to
-- the people charged. Deductions are kept in hundredths of a point (deduction_cp) so sums
-- stay exact in SQL on both databases.
CREATE TABLE inspection_checklists (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    unit_kind  TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE inspection_items (
    id             INTEGER PRIMARY KEY,
    checklist_id   INTEGER NOT NULL REFERENCES inspection_checklists(id),
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    text           TEXT NOT NULL,
    deduction_cp   INTEGER NOT NULL CHECK (deduction_cp >= 0),
    min_cp         INTEGER NOT NULL CHECK (min_cp >= 0),
    max_cp         INTEGER NOT NULL CHECK (max_cp >= min_cp),
    charges_person BOOLEAN NOT NULL,
    UNIQUE (checklist_id, code)
);

-- month and day are the local (Asia/Shanghai) month and date of inspected_at, the keys of
-- period facts. score_cp is the score of a self-check or spot check (0–10000).
CREATE TABLE inspections (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    checklist_id  INTEGER REFERENCES inspection_checklists(id),
    inspector_id  INTEGER REFERENCES people(id),
    inspector     TEXT NOT NULL,
    inspected_at  TIMESTAMP NOT NULL,
    month         TEXT NOT NULL,
    day           TEXT NOT NULL,
    items_checked INTEGER NOT NULL DEFAULT 0,
    score_cp      INTEGER,
    note          TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX inspections_unit_month ON inspections(unit_id, month);
CREATE INDEX inspections_month ON inspections(month, kind);

-- signoff: none (charges no person), pending, signed, rejected. rectify_due is a local date.
CREATE TABLE inspection_findings (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    item_id       INTEGER REFERENCES inspection_items(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    person_id     INTEGER REFERENCES people(id),
    month         TEXT NOT NULL,
    description   TEXT NOT NULL,
    deduction_cp  INTEGER NOT NULL CHECK (deduction_cp >= 0),
    doubled       BOOLEAN NOT NULL DEFAULT 0,
    double_reason TEXT NOT NULL DEFAULT '',
    signoff       TEXT NOT NULL CHECK (signoff IN ('none', 'pending', 'signed', 'rejected')),
    signed_by     TEXT NOT NULL DEFAULT '',
    signed_at     TIMESTAMP,
    signoff_note  TEXT NOT NULL DEFAULT '',
    rectify_due   TEXT,
    rectified_at  TIMESTAMP,
    rectify_note  TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX inspection_findings_inspection ON inspection_findings(inspection_id);
CREATE INDEX inspection_findings_person ON inspection_findings(person_id, month);
CREATE INDEX inspection_findings_rectify ON inspection_findings(rectified_at, rectify_due);

CREATE TABLE inspection_photos (
    id           INTEGER PRIMARY KEY,
    finding_id   INTEGER NOT NULL REFERENCES inspection_findings(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX inspection_photos_finding ON inspection_photos(finding_id);

-- In-app notices: to the person charged once the deduction is signed off, and to the unit
-- when a rectification is overdue. The unique key keeps a job run twice from repeating one.
CREATE TABLE inspection_notifications (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES inspection_findings(id),
    kind       TEXT NOT NULL,
    person_id  INTEGER REFERENCES people(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP,
    UNIQUE (finding_id, kind)
);
CREATE INDEX inspection_notifications_person ON inspection_notifications(person_id, created_at);

-- Weekly sampling (internal/sampling): plans with their quota, and each week's draw with the
-- seed and the population it was drawn from, so anyone can redo the draw and get the same
-- sample.
CREATE TABLE sampling_plans (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('workorders', 'import')),
    min_count    INTEGER NOT NULL CHECK (min_count >= 0),
    min_bp       INTEGER NOT NULL CHECK (min_bp >= 0 AND min_bp <= 10000),
    strata       TEXT NOT NULL DEFAULT '',
    active       BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE sampling_draws (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES sampling_plans(id),
    week            TEXT NOT NULL,
    seed            BIGINT NOT NULL,
    population_json TEXT NOT NULL,
    population_size INTEGER NOT NULL,
    quota           INTEGER NOT NULL,
    sample_size     INTEGER NOT NULL,
    drawn_by        TEXT NOT NULL,
    drawn_at        TIMESTAMP NOT NULL,
    UNIQUE (plan_id, week)
);

CREATE TABLE sampling_items (
    id         INTEGER PRIMARY KEY,
    draw_id    INTEGER NOT NULL REFERENCES sampling_draws(id),
    position   INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    label      TEXT NOT NULL,
    stratum    TEXT NOT NULL DEFAULT '',
    result     TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'ok', 'problem')),
    note       TEXT NOT NULL DEFAULT '',
    checked_by TEXT NOT NULL DEFAULT '',
    checked_at TIMESTAMP,
    UNIQUE (draw_id, position)
);
