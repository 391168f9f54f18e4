-- Organisation: a tree of units. Areas are units of kind 'area' with households and a
-- response-rate threshold in basis points (1000 = 10.00 %).
CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    parent_id    INTEGER REFERENCES units(id),
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    households   INTEGER CHECK (households >= 0),
    threshold_bp INTEGER CHECK (threshold_bp BETWEEN 0 AND 10000),
    active       BOOLEAN NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER REFERENCES units(id),
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX people_unit ON people(unit_id);

-- A role held by a person over a unit's subtree; unit_id NULL means the whole organisation.
CREATE TABLE role_assignments (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL,
    unit_id    INTEGER REFERENCES units(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments(person_id, role, COALESCE(unit_id, 0));

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL UNIQUE REFERENCES people(id),
    username            TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT 1,
    locale              TEXT NOT NULL DEFAULT 'zh-CN',
    password_changed_at TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

-- Sessions are looked up by the SHA-256 of the cookie value, so a leaked table cannot be
-- replayed as cookies.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       TIMESTAMP NOT NULL,
    success  BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

-- The audit log is append-only: triggers refuse UPDATE and DELETE, and each entry carries
-- the SHA-256 of its predecessor's hash and its own content, so a nightly job can prove that
-- nothing was altered underneath the application.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_id    INTEGER,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    unit_id     INTEGER,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- One row that serialises appends to the hash chain across instances.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');
