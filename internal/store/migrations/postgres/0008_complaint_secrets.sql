-- The complainant's response code (issue 13): the tracking code is seen by staff on
-- /complaints and only shows progress; confirming or rejecting a solution needs a separate
-- code shown once to the complainant and stored here only as a SHA-256 hash. Complaints
-- registered before this migration have no response code (''): their complainants answer
-- through the complaint desk, which records the answer as staff.
ALTER TABLE complaints ADD COLUMN response_hash TEXT NOT NULL DEFAULT '';

-- The public form's idempotency key, hashed: a resubmitted form (double click, reload of the
-- POST) finds the first complaint instead of storing a second. NULL for desk registrations.
ALTER TABLE complaints ADD COLUMN idempotency_hash TEXT;
CREATE UNIQUE INDEX complaints_idempotency ON complaints(idempotency_hash);
