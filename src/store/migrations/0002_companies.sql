-- Schema 2: facts about companies that the filing lists lack (registered city and district,
-- self-developed, yearly spend, algorithm filings), each with its provenance and whether a person
-- confirmed it; user subsidy rules and overrides of the bundled ones; and an audit trail of every
-- change to either. The filings' audit_log is not touched.

-- One per legal name. `key` folds full-width brackets and spaces so the CAC's
-- `阿里巴巴达摩院 (杭州) 科技有限公司` and a typed `阿里巴巴达摩院（杭州）科技有限公司` are one company.
CREATE TABLE companies (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE company_facts (
    company_key TEXT NOT NULL REFERENCES companies(key),
    fact        TEXT NOT NULL CHECK (fact IN ('registered_city', 'registered_district', 'self_developed')),
    value       TEXT NOT NULL,
    provenance  TEXT NOT NULL CHECK (provenance IN ('entered', 'inferred_from_name', 'imported')),
    confirmed   INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (company_key, fact),
    CHECK (fact <> 'self_developed' OR value IN ('yes', 'no', 'unknown'))
) STRICT;

-- Money is an integer number of yuan.
CREATE TABLE company_spend (
    company_key TEXT NOT NULL REFERENCES companies(key),
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('compute', 'model_purchase')),
    amount_cny  INTEGER NOT NULL CHECK (amount_cny >= 0),
    provenance  TEXT NOT NULL CHECK (provenance IN ('entered', 'inferred_from_name', 'imported')),
    confirmed   INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (company_key, year, kind)
) STRICT;

-- Algorithm / deep-synthesis filings (算法备案): a separate CAC system the generative-AI lists do
-- not carry, recorded per company because some rules pay for them.
CREATE TABLE company_algorithm_filings (
    company_key TEXT NOT NULL REFERENCES companies(key),
    number      TEXT NOT NULL,
    filed_on    TEXT NOT NULL,              -- YYYY-MM-DD
    provenance  TEXT NOT NULL CHECK (provenance IN ('entered', 'inferred_from_name', 'imported')),
    confirmed   INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (company_key, number)
) STRICT;

-- A user's rule (source = its TOML) or, with source NULL, only the enabled switch of a bundled
-- rule. A user rule with a bundled rule's id overrides it.
CREATE TABLE subsidy_rules (
    id          TEXT PRIMARY KEY,
    source      TEXT,
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE subsidy_audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    subject     TEXT NOT NULL CHECK (subject IN ('company', 'rule')),
    key         TEXT NOT NULL,              -- company key or rule id
    name        TEXT NOT NULL,              -- company name or rule id, as shown
    changes     TEXT NOT NULL,              -- JSON array of {field, before, after}
    note        TEXT
) STRICT;

CREATE INDEX subsidy_audit_subject ON subsidy_audit(subject, key);
