-- Schema 4: indexes that let the Filings screen's pages at a million filings walk rows already in
-- the page's order and stop after the page, instead of sorting every match (see store/browse.rs).
-- Rows arrive in id (and mostly date) order, so each insert appends near the end of its run.
--
-- `filings_listed` is the screen's default order (date, 序号, id). `filings_filed_on` is (date,
-- id), so a walk of it sorts each day's rows by 序号 and must read a whole day first.
--
-- `filings_region_id` is the order of a sort by region (region, then id).
--
-- `filings_flagged` holds only the flagged filings (about 0.5 % of a list), so a "flagged only"
-- page reads those instead of scanning its region; it costs nothing for the other rows.

CREATE INDEX filings_listed ON filings(filed_on, seq, id);
CREATE INDEX filings_region_id ON filings(region, id);
CREATE INDEX filings_flagged ON filings(flags) WHERE flags <> '';
