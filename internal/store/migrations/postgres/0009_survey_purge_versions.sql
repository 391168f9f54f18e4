-- The retention purge must reach the earlier versions of corrected answers, which hold the
-- free-text answers and the correction's reason. They stay append-only for everyone else:
-- the one update allowed is the purge's, which happens once (purged_at goes from NULL to a
-- time), only after the answer itself was purged, keeps who changed what version when, and
-- leaves the reason empty. Deleting stays forbidden. (docs/surveys.md, Retention.)
ALTER TABLE survey_answer_versions ADD COLUMN purged_at TIMESTAMPTZ;

CREATE OR REPLACE FUNCTION survey_answer_versions_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.answer_id = OLD.answer_id AND NEW.version = OLD.version
        AND NEW.changed_by = OLD.changed_by AND NEW.changed_at = OLD.changed_at AND NEW.reason = ''
        AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.id = OLD.answer_id AND a.purged_at IS NOT NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'survey_answer_versions is append-only (only the retention purge blanks a purged answer''s versions)';
END;
$$ LANGUAGE plpgsql;
