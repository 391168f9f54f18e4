-- Period close for every subject (issue 12): a result and a decision belong to a subject that
-- is a unit (person_id 0) or a person in a unit (person subjects; unit heads, whose unit is
-- the unit assessed). The ledger keeps every money or pay consequence of an approved result,
-- and the quality work group's budget its expenses.

-- SQLite cannot drop the UNIQUE (close_id, unit_id) of a table: rebuild both tables.
CREATE TABLE assessment_results_v2 (
    id           INTEGER PRIMARY KEY,
    close_id     INTEGER NOT NULL REFERENCES assessment_closes(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    person_id    INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    total        TEXT NOT NULL DEFAULT '',
    grade        TEXT NOT NULL DEFAULT '',
    flags        TEXT NOT NULL DEFAULT '',
    result_json  TEXT NOT NULL,
    facts_json   TEXT NOT NULL,
    records_json TEXT NOT NULL,
    UNIQUE (close_id, unit_id, person_id)
);
INSERT INTO assessment_results_v2 (id, close_id, unit_id, person_id, status, total, grade, flags, result_json, facts_json, records_json)
    SELECT id, close_id, unit_id, 0, status, total, grade, flags, result_json, facts_json, records_json FROM assessment_results;
DROP TRIGGER assessment_results_frozen_update;
DROP TRIGGER assessment_results_frozen_delete;
DROP TABLE assessment_results;
ALTER TABLE assessment_results_v2 RENAME TO assessment_results;
CREATE INDEX assessment_results_person ON assessment_results(person_id);
CREATE TRIGGER assessment_results_frozen_update BEFORE UPDATE ON assessment_results
WHEN (SELECT status FROM assessment_closes WHERE id = OLD.close_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'assessment_results of an approved or locked close cannot change'); END;
CREATE TRIGGER assessment_results_frozen_delete BEFORE DELETE ON assessment_results
WHEN (SELECT status FROM assessment_closes WHERE id = OLD.close_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'assessment_results of an approved or locked close cannot change'); END;

CREATE TABLE assessment_decisions_v2 (
    id         INTEGER PRIMARY KEY,
    close_id   INTEGER NOT NULL REFERENCES assessment_closes(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    person_id  INTEGER NOT NULL DEFAULT 0,
    kind       TEXT NOT NULL CHECK (kind IN ('award', 'exclude')),
    fact       TEXT NOT NULL DEFAULT '',
    value      TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL CHECK (reason <> ''),
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    UNIQUE (close_id, unit_id, person_id)
);
INSERT INTO assessment_decisions_v2 (id, close_id, unit_id, person_id, kind, fact, value, reason, decided_by, decided_at)
    SELECT id, close_id, unit_id, 0, kind, fact, value, reason, decided_by, decided_at FROM assessment_decisions;
DROP TABLE assessment_decisions;
ALTER TABLE assessment_decisions_v2 RENAME TO assessment_decisions;

-- The amount by which approving the close took the work group's yearly budget over, recorded
-- at approval ('' when within it): the policy tracks spending, it does not forbid it.
ALTER TABLE assessment_closes ADD COLUMN budget_over TEXT NOT NULL DEFAULT '';

-- One money or pay consequence of an approved result. amount is a signed decimal from the
-- payee's side (a penalty is negative); measure says whether it is yuan, performance points
-- or a flag without an amount (base salary only). pay_month is the payroll month it belongs
-- to. A reopened close marks its lines superseded; the new version adds its own.
CREATE TABLE assessment_ledger (
    id            INTEGER PRIMARY KEY,
    close_id      INTEGER NOT NULL REFERENCES assessment_closes(id),
    result_id     INTEGER NOT NULL REFERENCES assessment_results(id),
    scheme_code   TEXT NOT NULL,
    period        TEXT NOT NULL,
    close_version INTEGER NOT NULL,
    pay_month     TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    person_id     INTEGER NOT NULL DEFAULT 0,
    kind          TEXT NOT NULL,
    amount        TEXT NOT NULL,
    measure       TEXT NOT NULL CHECK (measure IN ('yuan', 'points', 'flag')),
    superseded    BOOLEAN NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX assessment_ledger_month ON assessment_ledger(pay_month);
CREATE INDEX assessment_ledger_close ON assessment_ledger(close_id);

-- The quality work group's expenses against its yearly budget (rewards come from the ledger).
CREATE TABLE assessment_budget_expenses (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    spent_on    TEXT NOT NULL,
    amount      TEXT NOT NULL,
    note        TEXT NOT NULL CHECK (note <> ''),
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_budget_expenses_year ON assessment_budget_expenses(year);

-- The HR decision on a dismissal review raised by a closed period (care-deductions: 30 points
-- or more in two consecutive months): kept or dismissed, by whom, why. One per person and
-- period of a scheme; the policy makes dismissal an HR decision, never automatic.
CREATE TABLE assessment_hr_decisions (
    id          INTEGER PRIMARY KEY,
    scheme_code TEXT NOT NULL,
    period      TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('kept', 'dismissed')),
    reason      TEXT NOT NULL CHECK (reason <> ''),
    decided_by  TEXT NOT NULL,
    decided_at  TIMESTAMP NOT NULL,
    UNIQUE (scheme_code, period, person_id)
);
