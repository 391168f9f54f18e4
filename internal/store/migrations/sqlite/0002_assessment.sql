-- Period close (internal/assessment): scheme versions, the interim evidence ledger, closes with
-- their versions, decisions on incomplete subjects, and the stored results.

-- Every version of every scoring scheme, as the YAML that internal/scheme parses. A change makes
-- a new version; at most one version of a code is active (new closes use it).
CREATE TABLE assessment_schemes (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    yaml       TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

-- The interim evidence ledger for unit-monthly until the inspections and surveys areas exist:
-- one row per inspection (with the problems it found) or per survey evaluation (with its band).
-- occurred_on is a calendar day in the organisation's time zone, written YYYY-MM-DD.
CREATE TABLE assessment_evidence (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    occurred_on TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('inspection', 'survey_evaluation')),
    problems    INTEGER CHECK (problems >= 0),
    band        INTEGER CHECK (band IN (20, 16, 12, 8, 4)),
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'inspection' AND problems IS NOT NULL AND band IS NULL)
        OR (kind = 'survey_evaluation' AND band IS NOT NULL AND problems IS NULL))
);
CREATE INDEX assessment_evidence_unit_day ON assessment_evidence(unit_id, occurred_on);

-- One close of a scheme for a period. Reopening keeps the old version (superseded) and adds
-- version + 1. status: draft (computed, under review) → approved (committee) → locked.
CREATE TABLE assessment_closes (
    id              INTEGER PRIMARY KEY,
    scheme_code     TEXT NOT NULL,
    scheme_version  INTEGER NOT NULL,
    period          TEXT NOT NULL,
    parent_unit_id  INTEGER NOT NULL REFERENCES units(id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'locked')),
    superseded      BOOLEAN NOT NULL DEFAULT 0,
    missing_facts   TEXT NOT NULL DEFAULT '',
    missing_reason  TEXT NOT NULL DEFAULT '',
    missing_by      TEXT NOT NULL DEFAULT '',
    reopen_reason   TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    computed_at     TIMESTAMP,
    approved_by     TEXT NOT NULL DEFAULT '',
    approved_at     TIMESTAMP,
    locked_by       TEXT NOT NULL DEFAULT '',
    locked_at       TIMESTAMP,
    UNIQUE (scheme_code, period, version)
);

-- A clerk's decision on a subject that the scheme left incomplete: award a fact a value, or
-- exclude the subject as no opinion. The reason is required.
CREATE TABLE assessment_decisions (
    id         INTEGER PRIMARY KEY,
    close_id   INTEGER NOT NULL REFERENCES assessment_closes(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    kind       TEXT NOT NULL CHECK (kind IN ('award', 'exclude')),
    fact       TEXT NOT NULL DEFAULT '',
    value      TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL CHECK (reason <> ''),
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    UNIQUE (close_id, unit_id)
);

-- One subject's result in a close: the scheme.Result as JSON, the facts it was computed from
-- and the records behind each fact, so a locked result explains itself without recomputing.
CREATE TABLE assessment_results (
    id           INTEGER PRIMARY KEY,
    close_id     INTEGER NOT NULL REFERENCES assessment_closes(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    status       TEXT NOT NULL,
    total        TEXT NOT NULL DEFAULT '',
    grade        TEXT NOT NULL DEFAULT '',
    flags        TEXT NOT NULL DEFAULT '',
    result_json  TEXT NOT NULL,
    facts_json   TEXT NOT NULL,
    records_json TEXT NOT NULL,
    UNIQUE (close_id, unit_id)
);

-- A result of an approved or locked close never changes, whatever the application does.
CREATE TRIGGER assessment_results_frozen_update BEFORE UPDATE ON assessment_results
WHEN (SELECT status FROM assessment_closes WHERE id = OLD.close_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'assessment_results of an approved or locked close cannot change'); END;
CREATE TRIGGER assessment_results_frozen_delete BEFORE DELETE ON assessment_results
WHEN (SELECT status FROM assessment_closes WHERE id = OLD.close_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'assessment_results of an approved or locked close cannot change'); END;
