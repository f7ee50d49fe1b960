//! The fast paths against the straightforward SQL they replace, on a registry of a few thousand
//! varied filings: same rows in the same order, same totals, same facet counts.

use super::*;
use crate::filing::{FilingFields, Flag, Kind};
use crate::query::{Sort, SortField};
use crate::store::filings::insert_filing;
use crate::store::Store;
use chrono::NaiveDate;

/// The queries as they were before the fast paths: company by `instr()` over every row, the
/// search through its IN list, five GROUP BYs, and SQLite's own plan for the page.
fn plain_where(filter: &FilingFilter) -> (String, Vec<Value>) {
    let company = filter
        .company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (w, mut args) = where_clause(&FilingFilter {
        company: None,
        ..filter.clone()
    });
    let Some(c) = company else {
        return (w, args);
    };
    args.push(Value::Text(c.into()));
    let cond = "instr(lower(f.company), lower(?)) > 0";
    match w.strip_prefix("WHERE ") {
        Some(rest) => (format!("WHERE {rest} AND {cond}"), args),
        None => (format!("WHERE {cond}"), args),
    }
}

fn plain_list(conn: &Connection, q: &FilingQuery) -> (u64, Vec<i64>) {
    let (w, args) = plain_where(&q.filter);
    let total: i64 = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM filings f {w}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )
        .unwrap();
    let mut all = args;
    all.push(Value::Integer(q.limit as i64));
    all.push(Value::Integer(q.offset as i64));
    let mut stmt = conn
        .prepare(&format!(
            "SELECT f.id FROM filings f {w} {} LIMIT ? OFFSET ?",
            order_by(q)
        ))
        .unwrap();
    let ids = stmt
        .query_map(params_from_iter(all.iter()), |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<i64>>>()
        .unwrap();
    (total as u64, ids)
}

fn plain_facets(conn: &Connection, filter: &FilingFilter) -> String {
    let (w, args) = plain_where(filter);
    let group = |expr: &str, order: &str| -> Vec<(Option<String>, i64)> {
        let sql = format!(
            "SELECT {expr} AS v, COUNT(*) AS n FROM filings f {w} GROUP BY v ORDER BY {order}"
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
    };
    let names: HashMap<i64, String> = conn
        .prepare("SELECT id, file_name FROM batches")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let regions = Regions::bundled();
    let facet = |rows: Vec<(Option<String>, i64)>, label: &dyn Fn(&str) -> String| {
        rows.into_iter()
            .filter_map(|(v, n)| {
                let v = v?;
                Some(FacetCount {
                    label: label(&v),
                    value: v,
                    count: n as u64,
                })
            })
            .collect::<Vec<_>>()
    };
    let same = |v: &str| v.to_string();
    let facets = Facets {
        region: facet(group("f.region", "n DESC, v"), &|v| {
            regions
                .by_name(v)
                .map(|r| r.short_name().to_string())
                .unwrap_or_else(|| v.to_string())
        }),
        kind: facet(group("f.kind", "n DESC, v"), &same),
        year: facet(group("substr(f.filed_on, 1, 4)", "v DESC"), &same),
        batch: facet(
            group("CAST(f.first_batch_id AS TEXT)", "CAST(v AS INTEGER) DESC"),
            &|v| match v.parse::<i64>().ok().and_then(|id| names.get(&id)) {
                Some(name) => format!("#{v} {name}"),
                None => format!("#{v}"),
            },
        ),
        flagged: facet(
            group(
                "CASE WHEN f.flags <> '' THEN 'true' ELSE 'false' END",
                "v DESC",
            ),
            &same,
        ),
    };
    format!("{facets:?}")
}

/// A small deterministic generator, so a failure names a reproducible registry.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const REGIONS: [&str; 6] = [
    "北京市",
    "上海市",
    "广东省",
    "浙江省",
    "西藏自治区",
    "国资委",
];

/// Filings with the shapes that matter: skewed regions, both kinds, flags, missing dates, seqs
/// and batches, repeated companies, Latin names and numbers, LIKE metacharacters and quotes in
/// company names, and words that only appear across the boundary of two columns.
fn registry(n: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let tx = store.conn.transaction().unwrap();
    for b in 1..=3 {
        tx.execute(
            "INSERT INTO batches (file_name, sha256, size, encoding, imported_at)
             VALUES (?, ?, 1, 'UTF-8', '2024-01-01T00:00:00Z')",
            rusqlite::params![format!("list-{b}.csv"), format!("sha{b}")],
        )
        .unwrap();
    }
    let mut g = Lcg(7);
    let cities = ["北京", "上海", "深圳", "杭州", "拉萨"];
    let brands = [
        "星火", "文心", "通义", "智谱", "云雀", "灵犀", "盘古", "混元",
    ];
    let words = ["科技", "智能", "信息", "网络"];
    let endings = [
        "有限公司",
        "股份有限公司",
        "(深圳)有限公司",
        "100%_控股有限公司",
        "O'Brien's 有限公司",
        "\"引号\"公司",
    ];
    let suffixes = ["大模型", "助手", "", " (ChatGLM)", "GPT-4o", "星"];
    for i in 0..n {
        let r = [0, 0, 0, 1, 1, 2, 2, 3, 4, 5][g.below(10)];
        let company = format!(
            "{}{}{}{}",
            if g.below(40) == 0 { "、" } else { "" },
            g.pick(&cities),
            g.pick(&words),
            g.pick(&endings)
        );
        // Some models end in 星 and some companies start with 火: 星火 across the two columns.
        let model = if g.below(30) == 0 {
            "天星".to_string()
        } else {
            format!("{}{}", g.pick(&brands), g.pick(&suffixes))
        };
        let company = if g.below(30) == 0 {
            format!("火{company}")
        } else {
            company
        };
        let day = g.below(700) as i64;
        let filed_on = (g.below(25) != 0)
            .then(|| NaiveDate::from_ymd_opt(2023, 3, 1).unwrap() + chrono::Duration::days(day));
        let fields = FilingFields {
            number: format!("Region{r}-Model{}-2023{:05}", g.below(50), i),
            kind: if g.below(5) == 0 {
                Kind::Registered
            } else {
                Kind::Filed
            },
            region: REGIONS[r].into(),
            model,
            company,
            filed_on,
            seq: (g.below(4) != 0).then(|| g.below(30) as i64),
        };
        let flags: Vec<Flag> = match g.below(25) {
            0 => vec![Flag::StrayLeadingChar],
            1 => vec![Flag::ModelCompanySwapped, Flag::PrefixMismatch],
            _ => vec![],
        };
        let batch = match g.below(10) {
            0 => None,
            k => Some(1 + (k % 3) as i64),
        };
        insert_filing(&tx, &fields, &flags, batch, "2024-01-01T00:00:00Z").unwrap();
    }
    // A region typed by hand that the bundled names resolve to another region (北京市): pages
    // by region must not stand it in for 北京市, nor 北京市 for it.
    for i in 0..n / 100 {
        let fields = FilingFields {
            number: format!("Beijing-Hand-2023{i:05}"),
            kind: Kind::Filed,
            region: "北京市海淀区".into(),
            model: "手填".into(),
            company: "北京海淀科技有限公司".into(),
            filed_on: NaiveDate::from_ymd_opt(2023, 6, 1 + (i % 28) as u32),
            seq: Some(1),
        };
        insert_filing(&tx, &fields, &[], Some(1), "2024-01-01T00:00:00Z").unwrap();
    }
    tx.commit().unwrap();
    store
}

fn filters() -> Vec<FilingFilter> {
    let mut out = vec![FilingFilter::default()];
    let regions: [&[&str]; 4] = [&[], &["北京"], &["西藏"], &["上海", "国资委"]];
    let companies = [
        None,
        Some("深圳"),
        Some("科技"),
        Some("%"),
        Some("100%_"),
        Some("_"),
        Some("O'Brien"),
        Some("o'brien"),
        Some("\"引号\""),
        Some("(深圳)"),
        Some("深"),
        Some("、深圳"),
        Some("没有"),
    ];
    let searches = [
        None,
        Some("星火"),
        Some("科技"),
        Some("星"),
        Some("chatglm"),
        Some("GPT"),
        Some("2023"),
        Some("深圳科技"),
        Some("%"),
    ];
    for (k, region) in regions.iter().enumerate() {
        for (c, company) in companies.iter().enumerate() {
            for (s, search) in searches.iter().enumerate() {
                if (k + c + s) % 5 != 0 {
                    continue;
                }
                out.push(FilingFilter {
                    regions: region.iter().map(|r| r.to_string()).collect(),
                    company: company.map(String::from),
                    search: search.map(String::from),
                    year: [None, Some(2023), Some(2024)][(c + s) % 3],
                    flagged: [None, Some(true), Some(false), None][(k + s) % 4],
                    kind: (c % 4 == 1).then_some(Kind::Registered),
                    ..Default::default()
                });
            }
        }
    }
    // Region, dates and flags alone: the counts-driven plans (pages by region, id bounds).
    for (k, region) in regions.iter().enumerate() {
        for (d, dates) in [
            (None, None, None),
            (Some(2023), None, None),
            (Some(2024), None, None),
            (None, Some("2023-09-01"), Some("2024-03-31")),
            (None, Some("2024-01-01"), None),
            (None, None, Some("2023-05-31")),
        ]
        .into_iter()
        .enumerate()
        {
            out.push(FilingFilter {
                regions: region.iter().map(|r| r.to_string()).collect(),
                year: dates.0,
                from: dates.1.map(String::from),
                to: dates.2.map(String::from),
                flagged: [None, None, Some(false), Some(true)][(k + d) % 4],
                kind: (d == 2).then_some(Kind::Filed),
                ..Default::default()
            });
        }
    }
    out.push(FilingFilter {
        from: Some("2023-06-01".into()),
        to: Some("2024-02-29".into()),
        batch: Some(2),
        ..Default::default()
    });
    out.push(FilingFilter {
        flag: Some(Flag::PrefixMismatch),
        regions: vec!["北京".into()],
        ..Default::default()
    });
    out
}

fn sorts() -> Vec<Option<Sort>> {
    let mut out = vec![None];
    for field in [
        "number", "kind", "region", "model", "company", "filed_on", "seq", "batch",
    ] {
        for dir in ["asc", "desc"] {
            out.push(Sort::parse(&format!("{field}:{dir}")));
        }
    }
    out
}

/// Offsets into a few thousand filings: the first page, odd ones, and past the end.
const OFFSETS: [u64; 5] = [0, 7, 50, 400, 2990];

/// The `s`-th sort's page of `filter` at `offset`, 50 or 13 rows long.
fn page_query(filter: &FilingFilter, s: usize, sort: Option<Sort>, offset: u64) -> FilingQuery {
    FilingQuery {
        filter: filter.clone(),
        sort,
        limit: [50, 13][s % 2],
        offset,
    }
}

#[test]
fn pages_and_totals_match_the_plain_queries_under_every_plan() {
    let store = registry(3000);
    let conn = &store.conn;
    let plans = [
        WALK,
        WalkLimits {
            rows: u64::MAX,
            probed_rows: u64::MAX,
        },
        WalkLimits {
            rows: 0,
            probed_rows: 0,
        },
    ];
    let mut nonempty = 0;
    let mut kept = 0;
    let counts = Kept::default();
    let companies = company_columns::Kept::default();
    let columns = facet_columns::Kept::default();
    for filter in filters() {
        // One cache per filter, so that every sort after the first reads the kept matches.
        let cache = Cache::default();
        for (s, sort) in sorts().into_iter().enumerate() {
            let q = page_query(&filter, s, sort, OFFSETS[s % 5]);
            let (total, ids) = plain_list(conn, &q);
            nonempty += usize::from(!ids.is_empty());
            for limits in plans {
                // With the totals read by SQL, then from the kept counts.
                for counts in [None, Some(&counts)] {
                    let page = list_with(conn, counts, &q, limits).unwrap();
                    let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    assert_eq!(page.total, total, "{q:?} {limits:?}");
                    assert_eq!(got, ids, "{q:?} {limits:?}");
                }
            }
            if let Some(page) = matches::list(conn, &cache, &q).unwrap() {
                kept += 1;
                let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                assert_eq!(page.total, total, "kept matches: {q:?}");
                assert_eq!(got, ids, "kept matches: {q:?}");
            }
            let page = list(conn, &cache, &columns, &counts, &companies, &q).unwrap();
            assert_eq!(page.total, total, "{q:?}");
            assert_eq!(
                page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
                ids,
                "{q:?}"
            );
        }
    }
    // Most company filters go through the kept matches.
    assert!(kept > 400, "{kept}");
    // The comparison is only worth something if most pages have rows in them.
    assert!(nonempty > 600, "{nonempty}");
}

#[test]
fn a_fragment_kept_once_answers_every_filter_with_that_fragment() {
    let store = registry(3000);
    let conn = &store.conn;
    // The browse filters with a company fragment, grouped by fragment and search text, each
    // group led by the fragment alone (as typed before any facet is clicked).
    let mut groups: Vec<(FilingFilter, Vec<FilingFilter>)> = Vec::new();
    for f in filters().into_iter().filter(|f| f.company.is_some()) {
        let lead = FilingFilter {
            company: f.company.clone(),
            search: f.search.clone(),
            ..Default::default()
        };
        match groups.iter_mut().find(|(l, _)| *l == lead) {
            Some((_, g)) => g.push(f),
            None => groups.push((lead.clone(), vec![lead, f])),
        }
    }
    // One cache for all of them, as the Filings screen has.
    let cache = Cache::default();
    let (mut answered, mut from_fragment) = (0, 0);
    for (lead, group) in &groups {
        for filter in group {
            for (s, sort) in sorts().into_iter().enumerate().step_by(3) {
                let q = FilingQuery {
                    filter: filter.clone(),
                    sort,
                    limit: 50,
                    offset: [0u64, 7, 50][s % 3],
                };
                let Some(page) = matches::list(conn, &cache, &q).unwrap() else {
                    continue;
                };
                let (total, ids) = plain_list(conn, &q);
                let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                assert_eq!((page.total, got), (total, ids), "{q:?}");
                answered += 1;
            }
            if let Some(facets) = matches::facets(conn, &cache, filter).unwrap() {
                assert_eq!(
                    format!("{facets:?}"),
                    plain_facets(conn, filter),
                    "{filter:?}"
                );
            }
            let kept = cache.kept_fragment();
            if filter != lead && kept == Some((lead.company.clone(), lead.search.clone())) {
                from_fragment += 1;
            }
        }
    }
    assert!(answered > 300, "{answered}");
    // Filters with a region, a year, a kind or flags, answered from their fragment's rows.
    assert!(from_fragment > 40, "{from_fragment}");
}

#[test]
fn a_fragment_in_much_of_the_registry_is_left_to_the_company_columns() {
    assert_eq!(matches::fragment_limit_of(3_000), 1_000);
    assert_eq!(matches::fragment_limit_of(100_000), 5_000);
    assert_eq!(matches::fragment_limit_of(1_000_000), 50_000);
    assert_eq!(matches::fragment_limit_of(10_000_000), 50_000);

    let store = registry(3000);
    let conn = &store.conn;
    let count = |fragment: &str| -> u64 {
        conn.query_row(
            "SELECT count(*) FROM filings WHERE instr(lower(company), lower(?)) > 0",
            [fragment],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (common, thin) = ("有限公司", "拉萨");
    assert!(count(common) > 1_000, "{}", count(common));
    assert!((1..=1_000).contains(&count(thin)), "{}", count(thin));
    let cache = Cache::default();
    let companies = company_columns::Kept::default();
    let counts = Kept::default();
    let columns = facet_columns::Kept::default();
    // The thin fragment's matches are kept the first time. The common one's are too many: its
    // facets read the columns (the second company filter asked), which answer the thin one
    // the second time before any match is read.
    for (fragment, kept) in [(thin, true), (common, false), (thin, false)] {
        let filter = FilingFilter {
            company: Some(fragment.into()),
            ..Default::default()
        };
        let q = FilingQuery {
            filter: filter.clone(),
            limit: 50,
            ..Default::default()
        };
        // As the Filings screen asks: a page, then its facets.
        let page = list(conn, &cache, &columns, &counts, &companies, &q).unwrap();
        let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        assert_eq!((page.total, got), plain_list(conn, &q), "{fragment}");
        let f = facets(conn, &cache, &columns, &counts, &companies, &filter).unwrap();
        assert_eq!(format!("{f:?}"), plain_facets(conn, &filter), "{fragment}");
        assert_eq!(
            matches::kept_for(conn, &cache, &filter).unwrap(),
            kept,
            "{fragment}"
        );
    }
    assert!(companies.is_read());
}

#[test]
fn facets_match_the_plain_group_bys() {
    let store = registry(3000);
    for filter in filters() {
        let plain = plain_facets(&store.conn, &filter);
        assert_eq!(
            format!("{:?}", facets_read(&store.conn, None, &filter).unwrap()),
            plain,
            "{filter:?}"
        );
        let facets_with = |cache: &Cache| {
            let got = facets(
                &store.conn,
                cache,
                &Default::default(),
                &Default::default(),
                &Default::default(),
                &filter,
            );
            format!("{:?}", got.unwrap())
        };
        // Read fresh, then from what a page of the same filter kept.
        let cache = Cache::default();
        assert_eq!(facets_with(&cache), plain, "{filter:?}");
        let cache = Cache::default();
        list(
            &store.conn,
            &cache,
            &Default::default(),
            &Kept::default(),
            &Default::default(),
            &FilingQuery {
                filter: filter.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(facets_with(&cache), plain, "{filter:?}");
    }
}

#[test]
fn kind_counts_match_the_selection_counts() {
    let store = registry(3000);
    for filter in filters() {
        let full = store.selection_counts(&filter, 5).unwrap();
        let kinds = store.kind_counts(&filter).unwrap();
        assert_eq!(
            (kinds.total, kinds.filed, kinds.registered),
            (full.total, full.filed, full.registered),
            "{filter:?}"
        );
        assert_eq!(kinds.filed + kinds.registered, kinds.total);
    }
}

#[test]
fn the_company_prefilter_keeps_instr_semantics() {
    let store = registry(3000);
    // Each of these is in some company name, and the prefilter must not lose any of them.
    for fragment in [
        "深圳",
        "(深圳)",
        "100%_",
        "O'Brien",
        "\"引号\"",
        "火北京",
        "、",
    ] {
        let filter = FilingFilter {
            company: Some(fragment.into()),
            ..Default::default()
        };
        let q = FilingQuery {
            filter: filter.clone(),
            ..Default::default()
        };
        let (total, _) = plain_list(&store.conn, &q);
        assert!(total > 0, "{fragment}");
        assert_eq!(list_fresh(&store, &q).total, total, "{fragment}");
    }
}

#[test]
fn company_totals_and_facets_from_the_kept_columns_match_the_plain_queries() {
    let store = registry(3000);
    let conn = &store.conn;
    let companies = company_columns::Kept::read_at_once();
    let plain_total = |filter: &FilingFilter| {
        let q = FilingQuery {
            filter: filter.clone(),
            ..Default::default()
        };
        plain_list(conn, &q).0
    };
    // Every browse filter, and fragments in other cases and widths, alone and with a region.
    let mut all = filters();
    for fragment in [
        "O'BRIEN",
        "KEJI",
        "ＯＢ",
        " 深圳 ",
        "海淀科技",
        "%_",
        "、深",
    ] {
        for regions in [vec![], vec!["北京".to_string()]] {
            all.push(FilingFilter {
                company: Some(fragment.into()),
                regions,
                ..Default::default()
            });
        }
    }
    let mut answered = 0;
    for filter in &all {
        let total = companies.total(conn, filter).unwrap();
        let fragment = filter.company.as_deref().map(str::trim);
        let searched = filter
            .search
            .as_deref()
            .and_then(search::match_expression)
            .is_some();
        assert_eq!(
            total.is_some(),
            fragment.is_some_and(|f| !f.is_empty()) && !searched,
            "{filter:?}"
        );
        let Some(total) = total else { continue };
        assert_eq!(total, plain_total(filter), "{filter:?}");
        let facets = companies.facets(conn, filter, true).unwrap().unwrap();
        assert_eq!(
            format!("{facets:?}"),
            plain_facets(conn, filter),
            "{filter:?}"
        );
        answered += usize::from(total > 0);
    }
    assert!(answered > 20, "{answered}");
    // By default the first company filter is left to SQL, and the columns read at the second.
    let lazy = company_columns::Kept::default();
    let filter = &FilingFilter {
        company: Some("科技".into()),
        ..Default::default()
    };
    assert_eq!(lazy.total(conn, filter).unwrap(), None);
    assert_eq!(lazy.total(conn, filter).unwrap(), Some(plain_total(filter)));
    // A write moves the data version, and the columns are read again.
    let filter = FilingFilter {
        company: Some("海淀科技".into()),
        ..Default::default()
    };
    let before = companies.total(conn, &filter).unwrap().unwrap();
    conn.execute(
        "UPDATE filings SET company = '北京海淀科技有限公司'
         WHERE id = (SELECT min(id) FROM filings WHERE instr(company, '海淀') = 0)",
        [],
    )
    .unwrap();
    let after = companies.total(conn, &filter).unwrap().unwrap();
    assert_eq!((after, after), (before + 1, plain_total(&filter)));
}

#[test]
fn the_fragment_test_is_sqlites_instr_of_lower() {
    let conn = Connection::open_in_memory().unwrap();
    let texts = [
        "O'Brien AI Ltd",
        "o'brien",
        "ÄBC 科技",
        "äbc",
        "ＡＢＣ",
        "ａｂｃ",
        "İstanbul",
        "i̇stanbul",
        "K",
        "\u{212A}",
        "100%_",
        "深圳市腾讯计算机系统有限公司",
        "",
        " ",
        "有限公司有限公司",
        "司有",
        "a\0b",
        "\0",
        "有限公司",
    ];
    // All the texts side by side, as the kept columns hold them: a fragment is found along
    // them once, and must not match across two of them.
    for fragment in texts.iter().chain(&["司有限", "b有", "\0b", "有限公司 "]) {
        let got = company_columns::holding(&texts, fragment);
        for (company, got) in texts.iter().zip(got) {
            let sql: bool = conn
                .query_row(
                    "SELECT instr(lower(?1), lower(?2)) > 0",
                    [company, fragment],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(got, sql, "{company:?} {fragment:?}");
        }
    }
}

/// `list` with nothing kept from an earlier call.
fn list_fresh(store: &Store, q: &FilingQuery) -> FilingPage {
    list(
        &store.conn,
        &Cache::default(),
        &Default::default(),
        &Kept::default(),
        &Default::default(),
        q,
    )
    .unwrap()
}

#[test]
fn search_totals_follow_edits_and_replacements() {
    let mut store = registry(500);
    let id: i64 = store
        .conn
        .query_row(
            "SELECT id FROM filings WHERE model LIKE '星火%' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let q = FilingQuery {
        filter: FilingFilter {
            search: Some("星火".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let before = list_fresh(&store, &q).total;
    let mut f = store
        .conn
        .query_row(
            "SELECT number, region, company FROM filings WHERE id = ?",
            [id],
            |r| {
                Ok(FilingFields {
                    number: r.get(0)?,
                    kind: Kind::Filed,
                    region: r.get(1)?,
                    model: "盘古".into(),
                    company: r.get(2)?,
                    filed_on: None,
                    seq: None,
                })
            },
        )
        .unwrap();
    f.company = f.company.replace("星火", "");
    store
        .edit_filing(id, &f, &[], "2024-02-01T00:00:00Z", None)
        .unwrap();
    let after = list_fresh(&store, &q);
    assert_eq!(after.total, before - 1);
    assert_eq!(after.total, plain_list(&store.conn, &q).0);
}

#[test]
fn kept_matches_and_counts_follow_writes_from_this_and_other_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let mut store = Store::open(&path).unwrap();
    let q = FilingQuery {
        filter: FilingFilter {
            company: Some("深圳".into()),
            year: Some(2024),
            ..Default::default()
        },
        sort: Sort::parse("company:asc"),
        limit: 20,
        offset: 0,
    };
    let fields = |i: usize, company: &str| FilingFields {
        number: format!("Gd-Test-2024{i:05}"),
        kind: Kind::Filed,
        region: "广东省".into(),
        model: "模型".into(),
        company: company.into(),
        filed_on: NaiveDate::from_ymd_opt(2024, 3, 1),
        seq: Some(1),
    };
    {
        let tx = store.conn.transaction().unwrap();
        for i in 0..30 {
            insert_filing(
                &tx,
                &fields(i, "深圳科技有限公司"),
                &[],
                None,
                "2024-01-01T00:00:00Z",
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    assert_eq!(store.list(&q).unwrap().total, 30);
    // Without the company, the kept counts answer (see `kept_counts`): they must follow too.
    let counted = FilingQuery {
        filter: FilingFilter {
            regions: vec!["广东".into()],
            year: Some(2024),
            ..Default::default()
        },
        ..Default::default()
    };
    let by_region = |store: &Store| {
        store
            .stat_counts(&counted.filter, None, crate::stats::Grouping::Region)
            .unwrap()
    };
    assert_eq!(store.list(&counted).unwrap().total, 30);
    assert_eq!(by_region(&store), [(Some("广东省".to_string()), 30)]);
    // A write through this connection.
    let id: i64 = store
        .conn
        .query_row("SELECT max(id) FROM filings", [], |r| r.get(0))
        .unwrap();
    store
        .edit_filing(
            id,
            &fields(29, "上海科技有限公司"),
            &[],
            "2024-02-01T00:00:00Z",
            None,
        )
        .unwrap();
    assert_eq!(store.list(&q).unwrap().total, 29);
    assert_eq!(store.list(&q).unwrap().total, plain_list(&store.conn, &q).0);
    // A commit by another connection.
    let other = Store::open(&path).unwrap();
    other
        .conn
        .execute("DELETE FROM filings WHERE id = ?", [id - 1])
        .unwrap();
    let page = store.list(&q).unwrap();
    assert_eq!(page.total, 28);
    assert_eq!(page.total, plain_list(&store.conn, &q).0);
    assert!(format!("{:?}", store.facets(&q.filter).unwrap()).contains("count: 28"));
    assert_eq!(store.list(&counted).unwrap().total, 29);
    assert_eq!(by_region(&store), [(Some("广东省".to_string()), 29)]);
    assert!(format!("{:?}", store.facets(&counted.filter).unwrap()).contains("count: 29"));
    // And an insert by the other connection.
    let tx = other.conn.unchecked_transaction().unwrap();
    insert_filing(
        &tx,
        &FilingFields {
            region: "广东省".into(),
            ..fields(99, "广州智能有限公司")
        },
        &[],
        None,
        "2024-03-01T00:00:00Z",
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(store.list(&counted).unwrap().total, 30);
    assert_eq!(by_region(&store), [(Some("广东省".to_string()), 30)]);
}

#[test]
fn company_counts_as_of_match_the_plain_group_by() {
    let store = registry(3000);
    // Dates SQLite orders as text but that are no ISO date: both paths must compare them alike.
    store
        .conn
        .execute(
            "UPDATE filings SET filed_on = '2024/3/5' WHERE id % 97 = 0",
            [],
        )
        .unwrap();
    let left_out_share = |as_of: &str| -> f64 {
        store
            .conn
            .query_row(
                "SELECT AVG(filed_on IS NULL OR filed_on > ?) FROM filings",
                [as_of],
                |r| r.get(0),
            )
            .unwrap()
    };
    // The first leaves out few filings (counted from the company index, the rest taken off),
    // the last many (grouped from the date index): both ways are compared.
    let days = [
        "2030-01-01",
        "2025-01-10",
        "2024-06-30",
        "2023-06-30",
        "2022-01-01",
    ];
    assert!(left_out_share(days[0]) * 8.0 < 1.0);
    assert!(left_out_share(days[3]) * 8.0 > 1.0);
    for filter in filters() {
        for as_of in days {
            let (w, mut args) = plain_where(&filter);
            args.push(Value::Text(as_of.into()));
            let cond = "f.filed_on <= ?";
            let w = match w.strip_prefix("WHERE ") {
                Some(rest) => format!("WHERE {rest} AND {cond}"),
                None => format!("WHERE {cond}"),
            };
            let mut stmt = store
                .conn
                .prepare(&format!(
                    "SELECT f.company, COUNT(*) FROM filings f {w} GROUP BY f.company"
                ))
                .unwrap();
            let plain: Vec<(Option<String>, u64)> = stmt
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok((Some(r.get(0)?), r.get::<_, i64>(1)? as u64))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let mut got = store
                .stat_counts(&filter, Some(as_of), crate::stats::Grouping::Company)
                .unwrap();
            got.sort();
            assert_eq!(got, plain, "{filter:?} as of {as_of}");
        }
    }
}

/// Pages of a common word under `filter` walked against the kept matches, in every sort order
/// and at several offsets, against the plain SQL; returns how many had rows.
fn search_pages_match_the_plain_queries(
    conn: &Connection,
    kept: &facet_columns::Kept,
    expr: &str,
    filter: &FilingFilter,
) -> usize {
    kept_pages_match_the_plain_queries(conn, filter, |q, max_walk| {
        facet_columns::search_page(conn, kept, expr, q, max_walk).unwrap()
    })
}

/// Checks `page(q, max_walk)`, a page from kept columns, against the plain query for every sort
/// and offset of `filter`; returns how many pages had rows.
fn kept_pages_match_the_plain_queries(
    conn: &Connection,
    filter: &FilingFilter,
    page: impl Fn(&FilingQuery, u64) -> Option<FilingPage>,
) -> usize {
    let mut with_rows = 0;
    for (s, sort) in sorts().into_iter().enumerate() {
        for offset in OFFSETS {
            let q = page_query(filter, s, sort, offset);
            let (total, ids) = plain_list(conn, &q);
            let field = sort.map(|s| s.field);
            let walkable = match field {
                Some(SortField::Number | SortField::Company) => filter.regions.len() <= 1,
                _ => true,
            };
            match page(&q, u64::MAX) {
                Some(page) => {
                    assert!(walkable, "{q:?}");
                    assert_eq!(page.total, total, "{q:?}");
                    let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    assert_eq!(got, ids, "{q:?}");
                    with_rows += usize::from(!ids.is_empty());
                }
                None => assert!(!walkable, "{q:?}"),
            }
            // A walk that may pass no row is left to SQL, unless there is nothing to walk for;
            // a page by kind or seq is not walked.
            let none = page(&q, 0);
            match none {
                Some(page) if matches!(field, Some(SortField::Kind | SortField::Seq)) => {
                    let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    assert_eq!(got, ids, "{q:?}");
                }
                Some(page) => assert!(page.rows.is_empty() && ids.is_empty(), "{q:?}"),
                None => assert!(!ids.is_empty() || !walkable, "{q:?}"),
            }
        }
    }
    with_rows
}

#[test]
fn search_facets_and_totals_from_the_kept_columns_match_the_plain_queries() {
    let store = registry(3000);
    let kept = facet_columns::Kept::default();
    let check = |store: &Store| {
        let mut pages_walked = 0;
        for word in [
            "科技",
            "公司",
            "星火",
            "北京",
            "有限公司",
            "火",
            "GPT",
            "不存在的词",
        ] {
            let expr = search::match_expression(word).unwrap();
            // The conditions the facet panel adds to a search, alone and together; a region
            // given by its short name, one no filing has, and a kind, batch or flag none has.
            let panel = [
                FilingFilter::default(),
                FilingFilter {
                    regions: vec!["北京".into()],
                    ..Default::default()
                },
                FilingFilter {
                    regions: vec!["广东省".into(), "上海市".into(), "火星".into()],
                    kind: Some(Kind::Registered),
                    ..Default::default()
                },
                FilingFilter {
                    kind: Some(Kind::Filed),
                    flagged: Some(true),
                    ..Default::default()
                },
                FilingFilter {
                    flagged: Some(false),
                    batch: Some(1),
                    ..Default::default()
                },
                FilingFilter {
                    batch: Some(999),
                    ..Default::default()
                },
                FilingFilter {
                    company: Some("  ".into()),
                    regions: vec!["浙江省".into()],
                    ..Default::default()
                },
            ];
            for rest in panel {
                let filter = FilingFilter {
                    search: Some(word.into()),
                    ..rest
                };
                let got = facet_columns::search_facets(&store.conn, &kept, &expr, &filter)
                    .unwrap()
                    .expect("the test registry fits the packing");
                assert_eq!(
                    format!("{got:?}"),
                    plain_facets(&store.conn, &filter),
                    "{filter:?}"
                );
                let total = facet_columns::search_total(&store.conn, &kept, &expr, &filter)
                    .unwrap()
                    .expect("the test registry fits the packing");
                let q = FilingQuery {
                    filter: filter.clone(),
                    ..Default::default()
                };
                assert_eq!(total, plain_list(&store.conn, &q).0, "{filter:?}");
                pages_walked +=
                    search_pages_match_the_plain_queries(&store.conn, &kept, &expr, &filter);
            }
            // Conditions the columns do not hold are left to SQL.
            for rest in [
                FilingFilter {
                    year: Some(2024),
                    ..Default::default()
                },
                FilingFilter {
                    from: Some("2024-01-01".into()),
                    ..Default::default()
                },
                FilingFilter {
                    company: Some("科技".into()),
                    ..Default::default()
                },
                FilingFilter {
                    flag: Some(crate::filing::Flag::StrayLeadingChar),
                    ..Default::default()
                },
            ] {
                let filter = FilingFilter {
                    search: Some(word.into()),
                    ..rest
                };
                let got = facet_columns::search_facets(&store.conn, &kept, &expr, &filter);
                assert!(got.unwrap().is_none(), "{filter:?}");
                let got = facet_columns::search_total(&store.conn, &kept, &expr, &filter);
                assert!(got.unwrap().is_none(), "{filter:?}");
                let q = FilingQuery {
                    filter: filter.clone(),
                    ..Default::default()
                };
                let got = facet_columns::search_page(&store.conn, &kept, &expr, &q, u64::MAX);
                assert!(got.unwrap().is_none(), "{filter:?}");
            }
        }
        // The comparison is only worth something if many pages have rows in them.
        assert!(pages_walked > 500, "{pages_walked}");
    };
    check(&store);
    // A write moves the data version: the columns are read again, not reused.
    store
        .conn
        .execute_batch(
            "UPDATE filings SET region = '西藏自治区', first_batch_id = NULL, flags = 'x'
             WHERE id % 7 = 0;
             UPDATE filings SET filed_on = NULL WHERE id % 11 = 0;
             DELETE FROM filings WHERE id % 13 = 0;",
        )
        .unwrap();
    check(&store);
}

#[test]
fn kept_counts_match_the_plain_group_bys_and_follow_writes() {
    let store = registry(3000);
    let kept = Kept::default();
    let groupings = [
        (Grouping::Region, "f.region", "f.region"),
        (Grouping::Kind, "f.kind", "f.kind"),
        (
            Grouping::Batch,
            "CAST(f.first_batch_id AS TEXT)",
            "f.first_batch_id",
        ),
        (Grouping::Day, "f.filed_on", "f.filed_on"),
    ];
    let check = |store: &Store| {
        let mut compared = 0;
        for filter in filters() {
            // Filters on the company or the search text are not the kept counts' to answer.
            let answers = super::super::filings::reads_counts(&filter);
            assert_eq!(
                kept.total(&store.conn, &filter, Dates::Any)
                    .unwrap()
                    .is_some(),
                answers,
                "{filter:?}"
            );
            if !answers {
                continue;
            }
            let (w, args) = plain_where(&filter);
            let and = |cond: &str| match w.strip_prefix("WHERE ") {
                Some(rest) => format!("WHERE {rest} AND {cond}"),
                None => format!("WHERE {cond}"),
            };
            let count = |where_sql: &str, extra: &[Value]| -> u64 {
                let all: Vec<Value> = args.iter().chain(extra).cloned().collect();
                store
                    .conn
                    .query_row(
                        &format!("SELECT COUNT(*) FROM filings f {where_sql}"),
                        params_from_iter(all.iter()),
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap() as u64
            };
            let got = |dates| kept.total(&store.conn, &filter, dates).unwrap();
            assert_eq!(got(Dates::Any), Some(count(&w, &[])), "{filter:?}");
            assert_eq!(
                got(Dates::Undated),
                Some(count(&and("f.filed_on IS NULL"), &[])),
                "{filter:?}"
            );
            assert_eq!(
                store.count_undated(&filter).unwrap(),
                count(&and("f.filed_on IS NULL"), &[])
            );
            // `2024/3/5` is no ISO date but sorts as text among them: both must compare alike.
            for as_of in [
                None,
                Some("2023-09-30"),
                Some("2024/3/5"),
                Some("2030-01-01"),
            ] {
                let (dates, extra) = match as_of {
                    Some(d) => (Dates::OnOrBefore(d), vec![Value::Text(d.into())]),
                    None => (Dates::Any, Vec::new()),
                };
                for (grouping, select, column) in groupings {
                    let mut conds = Vec::new();
                    if as_of.is_some() {
                        conds.push("f.filed_on <= ?");
                    }
                    if grouping == Grouping::Day {
                        conds.push("f.filed_on IS NOT NULL");
                    }
                    let where_sql = if conds.is_empty() {
                        w.clone()
                    } else {
                        and(&conds.join(" AND "))
                    };
                    let all: Vec<Value> = args.iter().chain(&extra).cloned().collect();
                    let mut stmt = store
                        .conn
                        .prepare(&format!(
                            "SELECT {select}, COUNT(*) FROM filings f {where_sql}
                             GROUP BY {column} ORDER BY {column}"
                        ))
                        .unwrap();
                    let plain: Vec<(Option<String>, u64)> = stmt
                        .query_map(params_from_iter(all.iter()), |r| {
                            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
                        })
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    let from_kept = kept.grouped(&store.conn, &filter, dates, grouping).unwrap();
                    assert_eq!(
                        from_kept.as_ref(),
                        Some(&plain),
                        "{filter:?} {grouping:?} as of {as_of:?}"
                    );
                    assert_eq!(
                        store.stat_counts(&filter, as_of, grouping).unwrap(),
                        plain,
                        "{filter:?} {grouping:?} as of {as_of:?}"
                    );
                    compared += usize::from(!plain.is_empty());
                }
            }
        }
        // Worth something only if most groupings have rows.
        assert!(compared > 150, "{compared}");
    };
    check(&store);
    // Writes move the data version: the counts are read again, not reused. The flags, dates
    // and batches written here are new values the first read never saw.
    store
        .conn
        .execute_batch(
            "UPDATE filings SET region = '西藏自治区', first_batch_id = NULL,
                 flags = 'prefix_mismatch,x' WHERE id % 7 = 0;
             UPDATE filings SET filed_on = '2024/3/5' WHERE id % 17 = 0;
             UPDATE filings SET filed_on = NULL WHERE id % 11 = 0;
             DELETE FROM filings WHERE id % 13 = 0;",
        )
        .unwrap();
    check(&store);
}

#[test]
fn index_match_counts_are_kept_until_the_data_changes() {
    let mut store = registry(300);
    let kept = Kept::default();
    let expr = search::company_prefilter("科技").unwrap();
    let first = kept
        .index_matches(&store.conn, &expr, || {
            index_matches(&store.conn, "科技", &expr)
        })
        .unwrap();
    assert!(first > 0);
    // Kept: the index is not asked again.
    let again = kept
        .index_matches(&store.conn, &expr, || panic!("counted again"))
        .unwrap();
    assert_eq!(again, first);
    // A write moves the data version, and the count is taken again.
    let tx = store.conn.transaction().unwrap();
    for i in 0..7 {
        let fields = FilingFields {
            number: format!("Gd-More-2024{i:05}"),
            kind: Kind::Filed,
            region: "广东省".into(),
            model: "模型".into(),
            company: "深圳新科技有限公司".into(),
            filed_on: NaiveDate::from_ymd_opt(2024, 3, 1),
            seq: Some(1),
        };
        insert_filing(&tx, &fields, &[], None, "2024-01-01T00:00:00Z").unwrap();
    }
    tx.commit().unwrap();
    let after = kept
        .index_matches(&store.conn, &expr, || {
            index_matches(&store.conn, "科技", &expr)
        })
        .unwrap();
    assert_eq!(after, first + 7);
}

#[test]
fn a_seq_beyond_32_bits_leaves_pages_by_seq_to_sql() {
    let store = registry(300);
    store
        .conn
        .execute("UPDATE filings SET seq = 5000000000 WHERE id = 1", [])
        .unwrap();
    let kept = facet_columns::Kept::default();
    let expr = search::match_expression("科技").unwrap();
    let q = FilingQuery {
        filter: FilingFilter {
            search: Some("科技".into()),
            ..Default::default()
        },
        sort: Sort::parse("seq:asc"),
        ..Default::default()
    };
    let got = facet_columns::search_page(&store.conn, &kept, &expr, &q, u64::MAX).unwrap();
    assert!(got.is_none(), "a seq the columns cannot hold");
    // Other orders still come from the kept columns.
    let q = FilingQuery {
        sort: Sort::parse("kind:desc"),
        ..q
    };
    let (total, ids) = plain_list(&store.conn, &q);
    assert!(total > 0);
    let page = facet_columns::search_page(&store.conn, &kept, &expr, &q, u64::MAX)
        .unwrap()
        .expect("a page by kind");
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
}

#[test]
fn company_pages_from_the_kept_columns_match_the_plain_queries() {
    let store = registry(3000);
    let conn = &store.conn;
    // Not read by a page: the first company filter of a process is still left to SQL.
    let lazy = company_columns::Kept::default();
    let q = FilingQuery {
        filter: FilingFilter {
            company: Some("科技".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(lazy.page(conn, &q, u64::MAX).unwrap().is_none());
    assert_eq!(lazy.total(conn, &q.filter).unwrap(), None);

    let companies = company_columns::Kept::read_at_once();
    // A page only uses columns read already (by a total or facets).
    assert!(companies.page(conn, &q, u64::MAX).unwrap().is_none());
    assert!(companies.total(conn, &q.filter).unwrap().is_some());
    let mut all: Vec<FilingFilter> = filters()
        .into_iter()
        .filter(|f| f.company.is_some() && f.search.is_none())
        .collect();
    for (k, fragment) in ["科技", "深圳", "有限公司", "O'BRIEN", "没有"]
        .iter()
        .enumerate()
    {
        for regions in [
            vec![],
            vec!["北京".to_string()],
            vec!["上海".into(), "广东".into()],
        ] {
            all.push(FilingFilter {
                company: Some(fragment.to_string()),
                regions,
                year: [None, Some(2024)][k % 2],
                ..Default::default()
            });
        }
    }
    assert!(all.len() > 20, "{}", all.len());
    let mut with_rows = 0;
    for filter in &all {
        with_rows += kept_pages_match_the_plain_queries(conn, filter, |q, max_walk| {
            companies.page(conn, q, max_walk).unwrap()
        });
        // The screen's facets and pages, which take the kept columns first.
        let got = facets(
            conn,
            &Cache::default(),
            &Default::default(),
            &Kept::default(),
            &companies,
            filter,
        );
        assert_eq!(
            format!("{:?}", got.unwrap()),
            plain_facets(conn, filter),
            "{filter:?}"
        );
        let q = page_query(filter, 1, Sort::parse("kind:desc"), 7);
        let got = list(
            conn,
            &Cache::default(),
            &Default::default(),
            &Kept::default(),
            &companies,
            &q,
        )
        .unwrap();
        let (total, ids) = plain_list(conn, &q);
        assert_eq!(got.total, total, "{q:?}");
        assert_eq!(
            got.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            ids,
            "{q:?}"
        );
    }
    assert!(with_rows > 500, "{with_rows}");

    // A seq beyond 32 bits: pages by seq go to SQL, others still come from the columns.
    conn.execute("UPDATE filings SET seq = 5000000000 WHERE id = 1", [])
        .unwrap();
    // The write moved the data: the columns are read again by the next total.
    assert!(companies.page(conn, &q, u64::MAX).unwrap().is_none());
    assert!(companies.total(conn, &q.filter).unwrap().is_some());
    let by = |sort: &str| FilingQuery {
        sort: Sort::parse(sort),
        ..q.clone()
    };
    assert!(companies
        .page(conn, &by("seq:asc"), u64::MAX)
        .unwrap()
        .is_none());
    let q = by("kind:desc");
    let page = companies
        .page(conn, &q, u64::MAX)
        .unwrap()
        .expect("a page by kind");
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        plain_list(conn, &q).1
    );
}

#[test]
fn kept_figures_outlive_writes_to_rules_and_company_facts() {
    use crate::subsidy::facts::{CompanyFactsUpdate, FactInput};
    let mut store = registry(300);
    let filter = FilingFilter {
        regions: vec!["北京".into()],
        ..Default::default()
    };
    let kept = |store: &Store| store.counts.current(&store.conn, &filter).unwrap().unwrap();
    let first = kept(&store);
    let now = "2026-12-07T00:00:00Z";
    store
        .put_rule("my-rule", Some("id = \"my-rule\""), true, now, None)
        .unwrap();
    store.put_rule("my-rule", None, false, now, None).unwrap();
    store
        .set_company_facts(
            &CompanyFactsUpdate {
                name: "杭州某某科技有限公司".into(),
                registered_city: Some(FactInput::entered("杭州市".into())),
                ..Default::default()
            },
            now,
        )
        .unwrap();
    store.delete_rule("my-rule", now, None).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &kept(&store)),
        "read again after a side write"
    );
    // A filing written moves them.
    store
        .conn
        .execute("UPDATE filings SET region = '上海市' WHERE id = 1", [])
        .unwrap();
    let after = kept(&store);
    assert!(!std::sync::Arc::ptr_eq(&first, &after));
    let plain = plain_list(
        &store.conn,
        &FilingQuery {
            filter: filter.clone(),
            ..Default::default()
        },
    )
    .0;
    assert_eq!(
        store
            .counts
            .total(&store.conn, &filter, Dates::Any)
            .unwrap(),
        Some(plain)
    );
}
