-- Schema 5: a region's filings in number order and in company order, so that a Filings page
-- filtered by region and sorted by number or company walks the region's stretch of an index and
-- stops after the page (see store/browse.rs). Without them such a page at a million filings
-- either sorts the whole region (300,000 rows for 北京) or walks the whole table's order past
-- the other regions. `number_key` is unique, and the implicit trailing rowid makes
-- (region, company) the order `ORDER BY company, id` within a region.

CREATE INDEX filings_region_number ON filings(region, number_key);
CREATE INDEX filings_region_company ON filings(region, company);

-- The flagged filings (about 0.5 % of a list) by region and date, replacing schema 4's index of
-- them by flags alone: a "flagged only" page or count in one region then reads that region's
-- flagged rows instead of every flagged row.
DROP INDEX filings_flagged;
CREATE INDEX filings_flagged ON filings(region, filed_on) WHERE flags <> '';

-- (kind, filed_on) no longer serves any query: kind counts come from `filing_counts`, a kind
-- filter's page walks a date or sort-order index (every other filing or more matches), and with
-- company or search text the search index drives. Dropping it pays for part of the two indexes
-- above in import time (each index on `filings` is a few percent of it).
DROP INDEX filings_kind;
