-- One character typed alone is a prefix query on the bigrams (`"文"*`), for which FTS5 merged the
-- document lists of every bigram that starts with it: 1.6–5.3 s at a million filings. With an
-- index of one-character prefixes it reads one list, as a two-character word does. The option
-- is set when the table is created, and the table is contentless, so it is made again and its
-- documents are worked out again from the filings (`beian_index_text`, registered by the
-- migration code: the same `search::index_text` the imports and edits write).
DROP TABLE filing_search;
CREATE VIRTUAL TABLE filing_search USING fts5(
    grams,
    content = '',
    contentless_delete = 1,
    prefix = '1',
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO filing_search (rowid, grams)
SELECT id, beian_index_text(model, company, number) FROM filings;
