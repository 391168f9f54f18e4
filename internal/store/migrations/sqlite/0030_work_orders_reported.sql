-- The work-order list (page and API) shows the newest orders first, by reported_at then id,
-- a keyset page at a time. Without an index in that order SQLite sorted every order the
-- reader may see for each page: seconds a page over the N=10 year's 539,000 orders
-- (docs/benchmarks.md, "lists"); with it a page reads its 51 rows from the end of the index.
CREATE INDEX work_orders_reported ON work_orders(reported_at, id);
