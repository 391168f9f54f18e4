-- Evidence of the quarterly department assessment (POLICIES §3, dept-quarterly-weighted).
--
-- A survey campaign is addressed either to the residents of areas (seed 001) or to the key
-- customers of business departments (重点客户问卷调查, seed 002 附件1): one invitation per key
-- customer. Resident facts never count key-customer answers and the other way round.
ALTER TABLE survey_campaigns ADD COLUMN audience TEXT NOT NULL DEFAULT 'residents' CHECK (audience IN ('residents', 'key_customers'));

-- 主业直接扣分: points the complaint desk deducts from a department's complaint score directly
-- (附件1 第八条/第十二条), in hundredths of a point, each with its day, reason and the
-- complaint it came from when there is one.
CREATE TABLE complaint_direct_deductions (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    day          TEXT NOT NULL,
    points_cp    INTEGER NOT NULL CHECK (points_cp > 0 AND points_cp <= 10000),
    reason       TEXT NOT NULL,
    complaint_id INTEGER REFERENCES complaints(id),
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX complaint_direct_deductions_unit_day ON complaint_direct_deductions(unit_id, day);
