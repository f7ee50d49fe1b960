-- Schema 1: batches with provenance, raw rows as read, filings with their history, the audit
-- trail, and a search index. Numbers and codes are TEXT; dates are ISO YYYY-MM-DD text.

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    encoding    TEXT NOT NULL,
    delimiter   TEXT,
    imported_at TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'bundled')),
    rows        INTEGER NOT NULL DEFAULT 0,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One per table found in a batch's file: the header that gives raw rows their meaning.
CREATE TABLE batch_tables (
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    idx         INTEGER NOT NULL,
    sheet       TEXT,
    title       TEXT,
    kind        TEXT,
    header_line INTEGER NOT NULL,
    header      TEXT NOT NULL, -- JSON array of the header cells
    PRIMARY KEY (batch_id, idx)
) STRICT;

CREATE TABLE filings (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL,          -- as published
    number_key      TEXT NOT NULL UNIQUE,   -- case/width/space-folded
    kind            TEXT NOT NULL CHECK (kind IN ('filed', 'registered')),
    region          TEXT NOT NULL,          -- full name: 北京市, 国资委
    model           TEXT NOT NULL,
    company         TEXT NOT NULL,
    filed_on        TEXT,                   -- YYYY-MM-DD
    seq             INTEGER,
    flags           TEXT NOT NULL DEFAULT '',
    first_batch_id  INTEGER REFERENCES batches(id),
    last_batch_id   INTEGER REFERENCES batches(id),
    import_fingerprint TEXT,                -- the values as the last import gave them
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX filings_filed_on ON filings(filed_on, id);
CREATE INDEX filings_region ON filings(region, filed_on);
CREATE INDEX filings_company ON filings(company);
CREATE INDEX filings_kind ON filings(kind, filed_on);
CREATE INDEX filings_first_batch ON filings(first_batch_id);

CREATE TABLE raw_rows (
    id          INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    table_idx   INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    number      TEXT NOT NULL,              -- the number cell as read (may be empty)
    cells       TEXT NOT NULL,              -- JSON array, exactly as read
    action      TEXT NOT NULL,              -- inserted / updated / unchanged / rejected / duplicate
    filing_id   INTEGER REFERENCES filings(id),
    changes     TEXT,                       -- JSON array of field changes, for updates
    issues      TEXT                        -- JSON array of issues, when any
) STRICT;

CREATE INDEX raw_rows_batch ON raw_rows(batch_id, line);
CREATE INDEX raw_rows_filing ON raw_rows(filing_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'edit')),
    filing_id   INTEGER REFERENCES filings(id),
    number      TEXT NOT NULL,
    changes     TEXT NOT NULL,              -- JSON array of {field, before, after}
    note        TEXT
) STRICT;

CREATE INDEX audit_log_filing ON audit_log(filing_id);

-- The values a filing had before a batch or an edit replaced them.
CREATE TABLE filing_versions (
    id          INTEGER PRIMARY KEY,
    filing_id   INTEGER NOT NULL REFERENCES filings(id),
    replaced_at TEXT NOT NULL,
    batch_id    INTEGER REFERENCES batches(id),
    audit_id    INTEGER REFERENCES audit_log(id),
    number      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL,
    model       TEXT NOT NULL,
    company     TEXT NOT NULL,
    filed_on    TEXT,
    seq         INTEGER,
    flags       TEXT NOT NULL
) STRICT;

CREATE INDEX filing_versions_filing ON filing_versions(filing_id);

-- Substring search that also finds one- and two-character Chinese words: each document is the
-- overlapping character bigrams of its fields (plus each field's last character), so a query is
-- a phrase of its own bigrams. Contentless: the text lives in `filings`.
CREATE VIRTUAL TABLE filing_search USING fts5(
    grams,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
