-- survey_counts without the day: what a campaign's rates and opinion classes read when they
-- are not taken at the snapshot. A campaign of the N=100 organisation has about 120,000
-- survey_counts rows (1,600 areas, each answer day, location and type); its rates summed them
-- all, 0.2 s of the quarterly report's four campaigns. Kept by survey.bump in the same
-- transaction as survey_counts, rebuilt with it by survey.RebuildCounts; filled here from
-- survey_counts, which it must always equal summed over the days.
CREATE TABLE survey_unit_counts (
    campaign_id  BIGINT NOT NULL REFERENCES survey_campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    location     TEXT NOT NULL,
    problem_type TEXT NOT NULL,
    answered     INTEGER NOT NULL,
    fake         INTEGER NOT NULL,
    satisfied    INTEGER NOT NULL,
    dissatisfied INTEGER NOT NULL,
    faults       INTEGER NOT NULL,
    opinions     INTEGER NOT NULL,
    classed      INTEGER NOT NULL,
    points       INTEGER NOT NULL,
    bands        INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, location, problem_type)
);
INSERT INTO survey_unit_counts (campaign_id, unit_id, location, problem_type, answered, fake, satisfied, dissatisfied, faults, opinions, classed, points, bands)
SELECT campaign_id, unit_id, location, problem_type, SUM(answered), SUM(fake), SUM(satisfied), SUM(dissatisfied), SUM(faults), SUM(opinions), SUM(classed), SUM(points), SUM(bands)
FROM survey_counts GROUP BY campaign_id, unit_id, location, problem_type;
