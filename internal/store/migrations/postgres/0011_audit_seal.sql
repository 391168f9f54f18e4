-- The audit log no longer chains entries as they are appended (that needed the audit_head
-- row, which serialised every writing transaction). An entry is appended with its content
-- only; a single sealer later gives it its place in the chain (seal_seq, 1, 2, 3, … with no
-- gap), the hash of the entry sealed before it (prev_hash) and its own hash. docs/audit.md
-- argues the design.
--
-- Entries chained before this migration keep their hashes: they were chained in id order
-- from 1 with no gap, so their seal_seq is their id.
DROP TRIGGER audit_log_no_change ON audit_log;
ALTER TABLE audit_log ADD COLUMN seal_seq BIGINT UNIQUE;
UPDATE audit_log SET seal_seq = id;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_together CHECK (
    (seal_seq IS NULL AND prev_hash IS NULL AND hash IS NULL)
 OR (seal_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL));
-- The sealer's work list: small, because entries leave it within a second or so.
CREATE INDEX audit_log_unsealed ON audit_log(id) WHERE seal_seq IS NULL;

-- Content never changes. The seal columns are written once, from NULL, and never again.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seal_seq IS NULL AND NEW.seal_seq IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor, NEW.action, NEW.entity, NEW.entity_id,
            NEW.unit_id, NEW.before_json, NEW.after_json)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_id, OLD.actor, OLD.action, OLD.entity, OLD.entity_id,
            OLD.unit_id, OLD.before_json, OLD.after_json) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Ids now come from the identity column; until now Record gave them explicitly (from
-- audit_head), so the sequence never moved. Start it after the last entry.
SELECT setval(pg_get_serial_sequence('audit_log', 'id'),
              COALESCE((SELECT MAX(id) FROM audit_log), 1),
              (SELECT MAX(id) FROM audit_log) IS NOT NULL);

DROP TABLE audit_head;
