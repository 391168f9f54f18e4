-- Survey campaigns (internal/survey, docs/policies.md §2, seed 001).

-- A questionnaire template: questions, the rating scale with the points of each level, the
-- overall question and the problem locations and types, as JSON (survey.Definition). A new
-- version is a new row; a campaign keeps the version it started with.
CREATE TABLE survey_templates (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

-- A quarter's campaign. Residents may answer online from starts_on to ends_on (local dates);
-- paper questionnaires may be entered until the clerk closes it. snapshot_on fixes the
-- quarter's rates (answers after that day do not count in survey-quarterly).
CREATE TABLE survey_campaigns (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    quarter        TEXT NOT NULL,
    template_id    INTEGER NOT NULL REFERENCES survey_templates(id),
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    snapshot_on    TEXT NOT NULL,
    followup_days  INTEGER NOT NULL CHECK (followup_days > 0),
    retention_days INTEGER NOT NULL CHECK (retention_days > 0),
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX survey_campaigns_quarter ON survey_campaigns(quarter);

-- The units (areas) a campaign covers, with the households and the response-rate threshold
-- in force for it (from the organisation, overridable per campaign).
CREATE TABLE survey_campaign_units (
    campaign_id  INTEGER NOT NULL REFERENCES survey_campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    households   INTEGER NOT NULL CHECK (households > 0),
    threshold_bp INTEGER NOT NULL CHECK (threshold_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (campaign_id, unit_id)
);

-- One invitation per household: the short code printed on the paper questionnaire and in
-- its QR link. household is an optional label (building-unit-room), personal data purged
-- with the answer.
CREATE TABLE survey_invitations (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    seq         INTEGER NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    household   TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL CHECK (channel IN ('household', 'visit')),
    answered_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, unit_id, seq)
);
CREATE INDEX survey_invitations_campaign ON survey_invitations(campaign_id, unit_id, answered_at);

-- One answer per invitation (the unique key is what refuses a second one). The overall
-- rating's level, points, band and satisfied/dissatisfied flags are kept in columns so rates
-- are one GROUP BY; answers holds every question's answer as JSON. idem_key makes a retried
-- submission a no-op. has_opinion outlives the opinion's text, which the retention purge
-- removes. authenticity: unchecked, checked, doubtful, fake (fake is excluded
-- from rates, never deleted). A correction raises version and keeps the earlier answer in
-- survey_answer_versions.
CREATE TABLE survey_answers (
    id              INTEGER PRIMARY KEY,
    invitation_id   INTEGER NOT NULL UNIQUE REFERENCES survey_invitations(id),
    campaign_id     INTEGER NOT NULL REFERENCES survey_campaigns(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'paper', 'visit')),
    answered_at     TIMESTAMP NOT NULL,
    overall_level   INTEGER NOT NULL,
    points          INTEGER NOT NULL,
    band            INTEGER NOT NULL,
    satisfied       BOOLEAN NOT NULL,
    dissatisfied    BOOLEAN NOT NULL,
    location        TEXT NOT NULL DEFAULT '',
    problem_type    TEXT NOT NULL DEFAULT '',
    opinion         TEXT NOT NULL DEFAULT '',
    has_opinion     BOOLEAN NOT NULL,
    respondent      TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    answers         TEXT NOT NULL,
    pattern         TEXT NOT NULL,
    idem_key        TEXT UNIQUE,
    client_key      TEXT NOT NULL DEFAULT '',
    entered_by      INTEGER REFERENCES users(id),
    authenticity    TEXT NOT NULL DEFAULT 'unchecked' CHECK (authenticity IN ('unchecked', 'checked', 'doubtful', 'fake')),
    authenticity_reason TEXT NOT NULL DEFAULT '',
    verified_fault  BOOLEAN NOT NULL DEFAULT 0,
    fault_reason    TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    purged_at       TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX survey_answers_campaign ON survey_answers(campaign_id, unit_id, answered_at, id);
CREATE INDEX survey_answers_unit_time ON survey_answers(unit_id, answered_at);
CREATE INDEX survey_answers_fault ON survey_answers(campaign_id, unit_id, verified_fault, answered_at, id);
CREATE INDEX survey_answers_client ON survey_answers(client_key, created_at);
CREATE INDEX survey_answers_purge ON survey_answers(purged_at, answered_at);

-- Running counts of the answers per campaign, unit, local day and classification, kept in
-- the same transaction as every change to an answer (survey.bump), so rates and
-- classifications are a sum over a few hundred rows instead of a scan of the answers;
-- survey.RebuildCounts recomputes them from the answers and must agree. Counters other than
-- answered and fake leave fake answers out; classed counts answers with an opinion or a class.
CREATE TABLE survey_counts (
    campaign_id  INTEGER NOT NULL REFERENCES survey_campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    day          TEXT NOT NULL,
    location     TEXT NOT NULL,
    problem_type TEXT NOT NULL,
    answered     INTEGER NOT NULL,
    fake         INTEGER NOT NULL,
    satisfied    INTEGER NOT NULL,
    dissatisfied INTEGER NOT NULL,
    faults       INTEGER NOT NULL,
    opinions     INTEGER NOT NULL,
    classed      INTEGER NOT NULL,
    points       INTEGER NOT NULL,
    bands        INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, day, location, problem_type)
);

-- Earlier versions of corrected answers, append-only.
CREATE TABLE survey_answer_versions (
    id         INTEGER PRIMARY KEY,
    answer_id  INTEGER NOT NULL REFERENCES survey_answers(id),
    version    INTEGER NOT NULL,
    answers    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    UNIQUE (answer_id, version)
);
CREATE TRIGGER survey_answer_versions_no_update BEFORE UPDATE ON survey_answer_versions
BEGIN SELECT RAISE(ABORT, 'survey_answer_versions is append-only'); END;
CREATE TRIGGER survey_answer_versions_no_delete BEFORE DELETE ON survey_answer_versions
BEGIN SELECT RAISE(ABORT, 'survey_answer_versions is append-only'); END;

-- Paper double entry: each returned questionnaire is typed twice by two clerks (pass 1 and
-- 2, the second blind). Equal entries make the answer; a mismatch waits for resolution, which
-- marks each entry correct or not (the clerk's entry accuracy, 录入正确率).
CREATE TABLE survey_entries (
    id            INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES survey_invitations(id),
    pass          INTEGER NOT NULL CHECK (pass IN (1, 2)),
    entered_by    INTEGER NOT NULL REFERENCES users(id),
    entered_name  TEXT NOT NULL,
    payload       TEXT NOT NULL,
    correct       BOOLEAN,
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (invitation_id, pass),
    UNIQUE (invitation_id, entered_by)
);
CREATE INDEX survey_entries_clerk ON survey_entries(entered_by);

-- A follow-up (回访) for every answer with an opinion: the unit records cause, action and
-- outcome, or escalates with a reason; the Quality Department checks and closes it.
CREATE TABLE survey_followups (
    id          INTEGER PRIMARY KEY,
    answer_id   INTEGER NOT NULL UNIQUE REFERENCES survey_answers(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    status      TEXT NOT NULL CHECK (status IN ('open', 'answered', 'escalated', 'closed')),
    due_at      TIMESTAMP NOT NULL,
    cause       TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    escalation  TEXT NOT NULL DEFAULT '',
    check_note  TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP,
    closed_by   TEXT NOT NULL DEFAULT '',
    closed_at   TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX survey_followups_unit ON survey_followups(unit_id, status, due_at);

-- Verified uses of improper means to raise satisfaction (seed 001 §六.4): 100 yuan and −5
-- per case, charged to the unit head.
CREATE TABLE survey_improper_cases (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    occurred_on TEXT NOT NULL,
    description TEXT NOT NULL,
    fine_yuan   INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX survey_improper_unit ON survey_improper_cases(unit_id, occurred_on);
