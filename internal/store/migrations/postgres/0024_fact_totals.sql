-- Running totals of the facts a period close needs (docs/aggregates.md): how many records of a
-- fact fall on a subject's day, per bucket (a survey band, '' for a plain count). Each area
-- changes its rows in the transaction of the record that changes them (the area's store
-- function), so a close sums a few rows per subject and day instead of rescanning records;
-- `manyi rebuild-aggregates` recomputes them from the records and, with --check, compares.
-- Subjects are units (the record's own unit: a close adds up the subtree it assesses) or people.
CREATE TABLE fact_totals (
    fact         TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   BIGINT NOT NULL,
    day          TEXT NOT NULL,
    bucket       TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (fact, subject_kind, subject_id, day, bucket)
);
