-- Schema 9: the subsidy evaluation's grouped filings, kept as written down.
--
-- The first evaluation of a process read every filing and grouped them by company: about
-- 1.5 s at a million filings, against 20-odd ms for the evaluation itself. The grouping is now
-- written down (`subsidy::snapshot::layout`) after it is worked out, filed under the filings'
-- write count (`filings_generation.n`) it was read at, and a later process whose filings are
-- at that same count reads it back in one piece. A write to the filings moves the count, so a
-- layout of other filings is never read; the next evaluation then writes a new one over it.
-- `format` names the layout's version and the city list it was worked out with.

CREATE TABLE evaluation_layout (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    format      TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    filings     INTEGER NOT NULL,
    data        BLOB NOT NULL
) STRICT;
