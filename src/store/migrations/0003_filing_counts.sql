-- Schema 3: counts kept ahead of time, so facet counts and list totals over a million filings
-- read a few thousand rows instead of every filing; and an index for sorting by model.
--
-- `filing_counts` holds one row per combination of the columns filters and facets use, with the
-- number of filings that have it. Its columns carry the names of the `filings` columns they
-- mirror, so the one WHERE clause every filtered query uses applies to it unchanged (filters on
-- company or search text are answered from `filings`). Triggers keep it exact on every write.

CREATE TABLE filing_counts (
    region          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    filed_on        TEXT,
    first_batch_id  INTEGER,
    flags           TEXT NOT NULL,
    n               INTEGER NOT NULL
) STRICT;

CREATE INDEX filing_counts_key ON filing_counts(region, kind, filed_on, first_batch_id, flags);

INSERT INTO filing_counts (region, kind, filed_on, first_batch_id, flags, n)
SELECT region, kind, filed_on, first_batch_id, flags, COUNT(*)
FROM filings GROUP BY region, kind, filed_on, first_batch_id, flags;

-- `IS` rather than `=` so that filings without a date or a batch (added by hand) are counted too.
CREATE TRIGGER filing_counts_insert AFTER INSERT ON filings BEGIN
    UPDATE filing_counts SET n = n + 1
    WHERE region = new.region AND kind = new.kind AND filed_on IS new.filed_on
      AND first_batch_id IS new.first_batch_id AND flags = new.flags;
    INSERT INTO filing_counts (region, kind, filed_on, first_batch_id, flags, n)
    SELECT new.region, new.kind, new.filed_on, new.first_batch_id, new.flags, 1
    WHERE changes() = 0;
END;

CREATE TRIGGER filing_counts_delete AFTER DELETE ON filings BEGIN
    UPDATE filing_counts SET n = n - 1
    WHERE region = old.region AND kind = old.kind AND filed_on IS old.filed_on
      AND first_batch_id IS old.first_batch_id AND flags = old.flags;
    DELETE FROM filing_counts
    WHERE region = old.region AND kind = old.kind AND filed_on IS old.filed_on
      AND first_batch_id IS old.first_batch_id AND flags = old.flags AND n <= 0;
END;

CREATE TRIGGER filing_counts_update
AFTER UPDATE OF region, kind, filed_on, first_batch_id, flags ON filings BEGIN
    UPDATE filing_counts SET n = n - 1
    WHERE region = old.region AND kind = old.kind AND filed_on IS old.filed_on
      AND first_batch_id IS old.first_batch_id AND flags = old.flags;
    DELETE FROM filing_counts
    WHERE region = old.region AND kind = old.kind AND filed_on IS old.filed_on
      AND first_batch_id IS old.first_batch_id AND flags = old.flags AND n <= 0;
    UPDATE filing_counts SET n = n + 1
    WHERE region = new.region AND kind = new.kind AND filed_on IS new.filed_on
      AND first_batch_id IS new.first_batch_id AND flags = new.flags;
    INSERT INTO filing_counts (region, kind, filed_on, first_batch_id, flags, n)
    SELECT new.region, new.kind, new.filed_on, new.first_batch_id, new.flags, 1
    WHERE changes() = 0;
END;

CREATE INDEX filings_model ON filings(model);
