-- A month close of maintainer-monthly reads each maintainer's rated self-evaluations of the
-- month (workorder.FactSource, for the close's drill-down). With only (maintainer_id, day) and
-- (outcome, day) to choose from, SQLite took (outcome, day) and read every rated task of the
-- month for each maintainer: 3 s a close over the N=10 year, 0.27 s with this index, which
-- answers the query's equalities and its day range (docs/benchmarks.md, issue 14 target 2).
-- PostgreSQL, with its statistics, may not need it; the same index keeps the plans alike.
CREATE INDEX workorder_tasks_maintainer_self ON workorder_tasks(maintainer_id, kind, outcome, day);
