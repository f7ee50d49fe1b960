-- Schema 7: a region's filings in model order, as schema 5 gave them in number and company
-- order, so that a Filings page filtered by region and sorted by model walks the region's
-- stretch of an index and stops after the page (see store/browse.rs). At a million filings,
-- 上海 in 2026 sorted by model from row 500 was answered by sorting the region's matches:
-- 25–46 ms, the slowest filtered page of the benchmark's suite after a company fragment's
-- first. The implicit trailing rowid makes (region, model) the order `ORDER BY model, id`
-- within a region.

CREATE INDEX filings_region_model ON filings(region, model);
