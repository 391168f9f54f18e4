-- The engineering project register and the service-standard targets (internal/project,
-- internal/target; seed 002 电信工程公司工程服务服务质量管理办法 and 服务质量的管理制度).

-- A project of an engineering office (工程处). Dates are local days (YYYY-MM-DD). The
-- construction plan (施工组织设计) of a major project is filed with the engineering management
-- department at least 3 days before the start and approved there; a tendered project files it
-- for the record whether major or not.
CREATE TABLE projects (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    contract_no      TEXT NOT NULL DEFAULT '',
    customer         TEXT NOT NULL DEFAULT '',
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    major            BOOLEAN NOT NULL,
    tendered         BOOLEAN NOT NULL,
    planned_start    TEXT NOT NULL,
    plan_filed_on    TEXT NOT NULL DEFAULT '',
    plan_approved_on TEXT NOT NULL DEFAULT '',
    plan_approved_by TEXT NOT NULL DEFAULT '',
    materials_plan   TEXT NOT NULL DEFAULT '',
    handed_over_on   TEXT NOT NULL DEFAULT '',
    fulfilled        BOOLEAN,
    customer_satisfied BOOLEAN,
    import_row       INTEGER,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX projects_unit_start ON projects(unit_id, planned_start);

-- An acceptance inspection (交验) of a project; the first one decides the first-time pass rate.
CREATE TABLE project_acceptances (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    inspected_on TEXT NOT NULL,
    passed      BOOLEAN NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX project_acceptances_project ON project_acceptances(project_id, inspected_on);

-- A service-standard target: a measure compared with a threshold, for one unit (with its
-- sub-units) or the whole organisation (unit_id NULL), per month.
CREATE TABLE service_targets (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    measure      TEXT NOT NULL,
    comparison   TEXT NOT NULL CHECK (comparison IN ('>=', '>', '<=', '=')),
    threshold_bp INTEGER NOT NULL,
    unit_id      INTEGER REFERENCES units(id),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMP NOT NULL
);
