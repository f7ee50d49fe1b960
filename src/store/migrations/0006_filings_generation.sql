-- Schema 6: a count of the writes to `filings`, kept by triggers.
--
-- Figures worked out from the filings are kept in memory (kept counts, facet and company
-- columns, a company fragment's matches, the subsidy evaluation's grouped filings) while the
-- filings are unchanged. A connection learnt of other connections' writes from SQLite's
-- `data_version`, which moves at any commit: the app writes subsidy rules and company facts
-- through a connection of its own, and each such write made the main connection read a
-- million filings again (1.2 s for the company columns) though no filing had changed. This
-- count moves with every filing inserted, updated or deleted, by any connection or program.

CREATE TABLE filings_generation (
    n INTEGER NOT NULL
) STRICT;

INSERT INTO filings_generation (n) VALUES (0);

CREATE TRIGGER filings_generation_insert AFTER INSERT ON filings BEGIN
    UPDATE filings_generation SET n = n + 1;
END;

CREATE TRIGGER filings_generation_update AFTER UPDATE ON filings BEGIN
    UPDATE filings_generation SET n = n + 1;
END;

CREATE TRIGGER filings_generation_delete AFTER DELETE ON filings BEGIN
    UPDATE filings_generation SET n = n + 1;
END;
