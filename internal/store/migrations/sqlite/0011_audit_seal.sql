-- The audit log no longer chains entries as they are appended (that needed the audit_head
-- row, which serialised every writing transaction). An entry is appended with its content
-- only; a single sealer later gives it its place in the chain (seal_seq, 1, 2, 3, … with no
-- gap), the hash of the entry sealed before it (prev_hash) and its own hash. docs/audit.md
-- argues the design.
--
-- SQLite cannot make a column nullable in place, so the table is rebuilt. Entries chained
-- before this migration keep their hashes: they were chained in id order from 1 with no
-- gap, so their seal_seq is their id.
CREATE TABLE audit_log_sealed (
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
    seal_seq    INTEGER UNIQUE,
    prev_hash   TEXT,
    hash        TEXT,
    CHECK ((seal_seq IS NULL AND prev_hash IS NULL AND hash IS NULL)
        OR (seal_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL))
);
INSERT INTO audit_log_sealed (id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, seal_seq, prev_hash, hash)
SELECT id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, id, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_sealed RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id);
-- The sealer's work list: small, because entries leave it within a second or so.
CREATE INDEX audit_log_unsealed ON audit_log(id) WHERE seal_seq IS NULL;

-- Content never changes. The seal columns are written once, from NULL, and never again.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.seal_seq IS NOT NULL OR NEW.seal_seq IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
  OR NEW.entity_id IS NOT OLD.entity_id OR NEW.unit_id IS NOT OLD.unit_id
  OR NEW.before_json IS NOT OLD.before_json OR NEW.after_json IS NOT OLD.after_json
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

DROP TABLE audit_head;
