-- Overdue events (issue 17): the periodic overdue sweep (internal/overdue) writes one audit
-- entry, which webhooks announce, for each improvement item or follow-up the first time it is
-- past its due day, and marks it in the same transaction: with the due day it announced for
-- items and work-order follow-ups (a due day moved later may be missed again and is announced
-- again; the same due day never twice, however many instances sweep), with the time of the
-- announcement for survey follow-ups, whose due time never moves.
ALTER TABLE improvements ADD COLUMN overdue_announced_on TEXT;
ALTER TABLE workorder_followups ADD COLUMN overdue_announced_on TEXT;
ALTER TABLE survey_followups ADD COLUMN overdue_announced_at TIMESTAMPTZ;
