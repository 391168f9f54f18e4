-- Work orders and their evaluations (internal/workorder, docs/policies.md §4, seed 003).

-- One row: how many days after an order closes a new report of the same fault by the same
-- reporter counts as a repeat report (二次报修).
CREATE TABLE workorder_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    repeat_days INTEGER NOT NULL CHECK (repeat_days BETWEEN 1 AND 365),
    updated_at  TIMESTAMP NOT NULL
);
INSERT INTO workorder_settings (id, repeat_days, updated_at) VALUES (1, 7, '2026-01-01 00:00:00+00:00');

-- A work order. close_day is the local (Asia/Shanghai) date of closed_at, the key of the
-- daily task draw. repeat_of links a repeat report to the order it repeats.
CREATE TABLE work_orders (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL CHECK (source IN ('hotline', 'other')),
    reporter      TEXT NOT NULL,
    phone         TEXT NOT NULL,
    location      TEXT NOT NULL,
    device        TEXT NOT NULL,
    fault         TEXT NOT NULL,
    team_id       INTEGER NOT NULL REFERENCES units(id),
    maintainer_id INTEGER NOT NULL REFERENCES people(id),
    reported_at   TIMESTAMP NOT NULL,
    contacted_at  TIMESTAMP,
    arrived_at    TIMESTAMP,
    closed_at     TIMESTAMP,
    close_day     TEXT,
    cause         TEXT NOT NULL DEFAULT '',
    measures      TEXT NOT NULL DEFAULT '',
    repeat_of     INTEGER REFERENCES work_orders(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK ((closed_at IS NULL) = (close_day IS NULL))
);
CREATE INDEX work_orders_close_day ON work_orders(close_day);
CREATE INDEX work_orders_team ON work_orders(team_id, reported_at);
CREATE INDEX work_orders_maintainer ON work_orders(maintainer_id, close_day);
CREATE INDEX work_orders_repeat ON work_orders(phone, device, closed_at);

-- A daily draw: the seed and inputs that assigned the callbacks of the orders closed on day,
-- stored so the assignment can be recomputed and checked. A day normally has one batch; a
-- later batch covers orders closed that day but registered after the first draw.
CREATE TABLE workorder_draws (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    batch       INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    inputs_json TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (day, batch)
);

-- An evaluation task: the foreman's self-evaluation (kind self) or the callback (kind
-- callback, role dispatcher or manager, assigned to one person). One task per order and kind,
-- so a second run of the draw cannot create duplicates. The current result is kept on the
-- task; its history is workorder_evaluations.
CREATE TABLE workorder_tasks (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES work_orders(id),
    draw_id         INTEGER NOT NULL REFERENCES workorder_draws(id),
    kind            TEXT NOT NULL CHECK (kind IN ('self', 'callback')),
    role            TEXT NOT NULL CHECK (role IN ('foreman', 'dispatcher', 'manager')),
    assignee_id     INTEGER REFERENCES people(id),
    maintainer_id   INTEGER NOT NULL REFERENCES people(id),
    team_id         INTEGER NOT NULL REFERENCES units(id),
    day             TEXT NOT NULL,
    due_at          TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TIMESTAMP,
    outcome         TEXT CHECK (outcome IN ('rated', 'unreachable')),
    score           INTEGER CHECK (score IN (10, 8, 6)),
    version         INTEGER NOT NULL DEFAULT 0,
    evaluated_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (order_id, kind),
    CHECK ((kind = 'self') = (role = 'foreman')),
    CHECK (kind = 'self' OR assignee_id IS NOT NULL),
    CHECK ((outcome = 'rated') = (score IS NOT NULL))
);
CREATE INDEX workorder_tasks_queue ON workorder_tasks(assignee_id, outcome, day);
CREATE INDEX workorder_tasks_team ON workorder_tasks(team_id, kind, outcome, day);
CREATE INDEX workorder_tasks_maintainer ON workorder_tasks(maintainer_id, day);
-- The month's scores scan the month's tasks by day; open and unreachable tasks are few and
-- found by their own indexes.
CREATE INDEX workorder_tasks_day ON workorder_tasks(day, kind);
CREATE INDEX workorder_tasks_open ON workorder_tasks(version, day);
CREATE INDEX workorder_tasks_outcome ON workorder_tasks(outcome, day);

-- Every saved evaluation, append-only: version 1 is the first rating, later versions change
-- it and carry a reason.
CREATE TABLE workorder_evaluations (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES workorder_tasks(id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    outcome       TEXT NOT NULL CHECK (outcome IN ('rated', 'unreachable')),
    score         INTEGER CHECK (score IN (10, 8, 6)),
    attempts      INTEGER NOT NULL DEFAULT 0,
    note_speed    TEXT NOT NULL DEFAULT '',
    note_attitude TEXT NOT NULL DEFAULT '',
    note_device   TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    evaluator_id  INTEGER NOT NULL REFERENCES people(id),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (task_id, version),
    CHECK ((outcome = 'rated') = (score IS NOT NULL)),
    CHECK (version = 1 OR reason <> '')
);

CREATE TRIGGER workorder_evaluations_no_update BEFORE UPDATE ON workorder_evaluations
BEGIN SELECT RAISE(ABORT, 'workorder_evaluations is append-only'); END;
CREATE TRIGGER workorder_evaluations_no_delete BEFORE DELETE ON workorder_evaluations
BEGIN SELECT RAISE(ABORT, 'workorder_evaluations is append-only'); END;

-- The running aggregate of evaluated orders (both the self-evaluation and the callback
-- rated) per month, maintainer and pair of ratings, kept in the transaction of each rating, so
-- the month's scores read at most nine rows a maintainer instead of the month's tasks.
-- workorder.RebuildPairs recomputes it from the tasks; workorder.CheckPairs compares.
CREATE TABLE workorder_pairs (
    month          TEXT NOT NULL,
    maintainer_id  INTEGER NOT NULL REFERENCES people(id),
    team_id        INTEGER NOT NULL REFERENCES units(id),
    self_score     INTEGER NOT NULL CHECK (self_score IN (10, 8, 6)),
    callback_score INTEGER NOT NULL CHECK (callback_score IN (10, 8, 6)),
    orders         INTEGER NOT NULL CHECK (orders >= 0),
    PRIMARY KEY (month, maintainer_id, team_id, self_score, callback_score)
);

-- The fault analysis meeting (故障分析会) of a month: follow-ups of the month before are due by it.
CREATE TABLE workorder_meetings (
    month      TEXT PRIMARY KEY,
    meets_on   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The dissatisfaction follow-up (评价不满意回访表) of a 不满意 callback: one per callback task.
CREATE TABLE workorder_followups (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL UNIQUE REFERENCES workorder_tasks(id),
    order_id      INTEGER NOT NULL REFERENCES work_orders(id),
    team_id       INTEGER NOT NULL REFERENCES units(id),
    month         TEXT NOT NULL,
    visited_on    TEXT NOT NULL DEFAULT '',
    findings      TEXT NOT NULL DEFAULT '',
    rectification TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'filed', 'confirmed', 'reopened')),
    filed_by      INTEGER REFERENCES people(id),
    filed_at      TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX workorder_followups_team ON workorder_followups(team_id, status);
