//! The subsidy commands through the real binary: rules, company facts, evaluation, rule files.

mod common;

use common::*;
use serde_json::{json, Value};

const ALI: &str = "阿里巴巴达摩院（杭州）科技有限公司";

fn seeded() -> Env {
    let env = Env::new();
    let (code, _, err) = env.json(&["seed"]);
    assert_eq!(code, 0, "{err}");
    env
}

fn row<'a>(rows: &'a Value, rule: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no row for {rule} in {rows:#}"))
}

fn reasons(r: &Value) -> Vec<String> {
    r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The reasons as `{code, params}`.
fn codes(r: &Value) -> &Vec<Value> {
    r["reason_codes"].as_array().unwrap()
}

fn has_code(r: &Value, want: Value) -> bool {
    codes(r).contains(&want)
}

#[test]
fn every_bundled_rule_is_listed_with_its_confidence() {
    let env = seeded();
    let (code, v, err) = env.json(&["subsidies", "rules"]);
    assert_eq!(code, 0, "{err}");
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), 8);
    let hz = rules
        .iter()
        .find(|r| r["rule"]["id"] == "hangzhou-model-filing")
        .unwrap();
    assert_eq!(hz["rule"]["confidence"], "H");
    assert_eq!(hz["origin"], "bundled");
    assert!(hz["rule"]["source"]["quote"]
        .as_str()
        .unwrap()
        .contains("给予模型评测等相关费用一次性奖励50万元"));
    let nj = rules
        .iter()
        .find(|r| r["rule"]["id"] == "nanjing-model-filing")
        .unwrap();
    assert_eq!(nj["rule"]["confidence"], "L");
}

/// The end-to-end story: a company's city is suggested from its name, the evaluation cannot
/// tell until someone confirms it, then pays, with its reasons.
#[test]
fn setting_a_companys_facts_turns_cannot_tell_into_an_amount_with_reasons() {
    let env = seeded();
    let (code, v, err) = env.json(&["company", "show", ALI]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["registered_city"]["value"], "杭州市");
    assert_eq!(v["registered_city"]["provenance"], "inferred_from_name");
    assert_eq!(v["registered_city"]["confirmed"], false);

    let eval = |env: &Env| {
        let (code, v, err) = env.json(&[
            "subsidies",
            "eval",
            "--company",
            ALI,
            "--as-of",
            "2024-06-30",
        ]);
        assert_eq!(code, 0, "{err}");
        v
    };
    let before = eval(&env);
    assert_eq!(
        before.as_array().unwrap().len(),
        8,
        "every rule for one company"
    );
    let hz = row(&before, "hangzhou-model-filing");
    assert_eq!(hz["status"], "cannot_tell");
    assert_eq!(hz["amount_cny"], Value::Null);
    assert!(
        has_code(
            hz,
            json!({"code": "needs", "params": {"need": {
                "code": "registered_city_confirmed",
                "params": {"city": "杭州市", "origin": {"provenance": "inferred_from_name", "confirmed": false}}
            }}})
        ),
        "{hz:#}"
    );
    // The English sentences stay the default: scripts that match them keep working.
    assert!(reasons(hz).contains(
        &"needs: registered city confirmed (杭州市 inferred from the company name, not confirmed)"
            .to_string()
    ));
    assert_eq!(reasons(hz).len(), codes(hz).len());
    assert_eq!(
        row(&before, "chengdu-first-ten")["status"],
        "does_not_qualify"
    );

    let (code, v, err) = env.json(&[
        "company",
        "set",
        ALI,
        "--city",
        "杭州",
        "--self-developed",
        "yes",
        "--spend",
        "2024:compute:40000000",
        "--note",
        "business licence",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["registered_city"]["value"], "杭州市");
    assert_eq!(v["registered_city"]["provenance"], "entered");
    assert_eq!(v["audit"][0]["note"], "business licence");

    let after = eval(&env);
    let hz = row(&after, "hangzhou-model-filing");
    assert_eq!(hz["status"], "qualifies", "{hz:#}");
    assert_eq!(hz["amount_cny"], 500_000);
    assert_eq!(hz["jurisdiction"], "浙江省 杭州市");
    assert_eq!(hz["enterprise"], "阿里巴巴达摩院 (杭州) 科技有限公司");
    assert!(
        has_code(
            hz,
            json!({"code": "filing_counted", "params": {
                "kind": "filed", "number": "ZheJiang-TongYiQianWen-20230901",
                "filed_on": "2023-09-12", "as_of": "2024-06-30", "window": null, "first_of_kind": false
            }})
        ),
        "{hz:#}"
    );
    assert!(
        has_code(
            hz,
            json!({"code": "registered_city", "params": {
                "city": "杭州市", "origin": {"provenance": "entered", "confirmed": true}
            }})
        ),
        "{hz:#}"
    );
    let r = reasons(hz);
    assert!(
        r.contains(
            &"filed: ZheJiang-TongYiQianWen-20230901 on 2023-09-12 (before as-of 2024-06-30)"
                .to_string()
        ),
        "{r:?}"
    );

    // Vouchers: 2023 has no spend recorded; 2024's 30 % of 40,000,000 is capped at 8,000,000.
    let v = row(&after, "hangzhou-compute-vouchers");
    assert_eq!(v["status"], "qualifies", "{v:#}");
    assert_eq!(v["amount_cny"], 8_000_000);

    let (code, totals, err) = env.json(&[
        "subsidies",
        "eval",
        "--rule",
        "hangzhou-model-filing",
        "--as-of",
        "2024-06-30",
        "--totals",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(totals[0]["qualifies"], 1);
    assert_eq!(totals[0]["total_cny"], 500_000);
}

#[test]
fn a_rule_that_needs_a_district_says_so_and_csv_and_table_work() {
    let env = seeded();
    let (code, _, err) = env.json(&[
        "add",
        "--number",
        "Guangdong-HaiZhuTest-202407010001",
        "--region",
        "广东",
        "--model",
        "海珠测试大模型",
        "--company",
        "广州海珠测试科技有限公司",
        "--filed-on",
        "2024-07-10",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = env.json(&[
        "company",
        "set",
        "广州海珠测试科技有限公司",
        "--city",
        "广州",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, v, err) = env.json(&[
        "subsidies",
        "eval",
        "--rule",
        "guangzhou-haizhu-first-filing",
        "--as-of",
        "2024-12-31",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["enterprise"] == "广州海珠测试科技有限公司")
        .unwrap();
    assert_eq!(r["status"], "cannot_tell");
    assert!(has_code(
        r,
        json!({"code": "needs", "params": {"need": {"code": "registered_district"}}})
    ));
    assert!(reasons(r).contains(&"needs: registered district".to_string()));

    let (code, _, err) = env.json(&[
        "company",
        "set",
        "广州海珠测试科技有限公司",
        "--district",
        "海珠区",
    ]);
    assert_eq!(code, 0, "{err}");
    let out = env
        .beian()
        .args([
            "--format",
            "csv",
            "subsidies",
            "eval",
            "--rule",
            "guangzhou-haizhu-first-filing",
            "--as-of",
            "2024-12-31",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("rule,jurisdiction,enterprise,status,amount_cny,reasons"),
        "{csv}"
    );
    assert!(
        csv.contains("广州海珠测试科技有限公司,qualifies,1000000,"),
        "{csv}"
    );
    assert!(
        csv.contains("cost shared: 广州市 500,000 CNY, 海珠区 500,000 CNY"),
        "{csv}"
    );

    let out = env
        .beian()
        .args([
            "subsidies",
            "eval",
            "--rule",
            "guangzhou-haizhu-first-filing",
            "--as-of",
            "2024-12-31",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("total_cny"), "{table}");
    assert!(table.contains("1000000"), "{table}");
}

const BAD_RULE: &str = r#"
id = "my-city-rule"
title = "test"
issuing_body = "某局"
confidence = "M"
[jurisdiction]
province = "浙江省"
city = "杭州市"
[document]
title = "某文件"
[source]
citation = "a notice"
[eligibility]
kinds = ["filed"]
[award]
kind = "lump_sum_per_enterprise"
amount_cny = 12.5
"#;

#[test]
fn a_bad_rule_file_names_the_file_and_the_field() {
    let env = seeded();
    let f = env.write("my-city-rule.toml", BAD_RULE.as_bytes());
    let (code, v, err) = env.json(&["subsidies", "check-rule", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    assert!(
        err.contains(
            "my-city-rule.toml: award.amount_cny: must be a positive whole number of yuan"
        ),
        "{err}"
    );
    assert!(err.contains("\"code\":\"invalid\""), "{err}");
    let (code, _, _) = env.json(&["subsidies", "add-rule", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    let (_, rules, _) = env.json(&["subsidies", "rules"]);
    assert_eq!(rules.as_array().unwrap().len(), 8, "nothing was saved");
}

#[test]
fn rules_can_be_added_disabled_enabled_exported_and_removed() {
    let env = seeded();
    let good = BAD_RULE.replace("amount_cny = 12.5", "amount_cny = 300000");
    let f = env.write("my-city-rule.toml", good.as_bytes());
    let (code, _, err) = env.json(&["subsidies", "check-rule", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, v, err) = env.json(&[
        "subsidies",
        "add-rule",
        f.to_str().unwrap(),
        "--note",
        "ours",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["origin"], "user");

    let (code, v, err) = env.json(&["subsidies", "disable", "chengdu-first-ten"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["enabled"], false);
    let (_, rows, _) = env.json(&["subsidies", "eval", "--as-of", "2024-06-30", "--totals"]);
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"chengdu-first-ten"));
    assert!(ids.contains(&"my-city-rule"));
    let (code, v, _) = env.json(&["subsidies", "enable", "chengdu-first-ten"]);
    assert_eq!(code, 0);
    assert_eq!(v[0]["enabled"], true);

    let dir = env.dir.path().join("export");
    let out = env
        .beian()
        .args(["subsidies", "export", "--to", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 9);
    assert_eq!(
        std::fs::read_to_string(dir.join("my-city-rule.toml")).unwrap(),
        good
    );

    let (code, _, err) = env.json(&["subsidies", "remove", "my-city-rule"]);
    assert_eq!(code, 0, "{err}");
    let (_, rules, _) = env.json(&["subsidies", "rules"]);
    assert_eq!(rules.as_array().unwrap().len(), 8);
    let (_, audit, _) = env.json(&["subsidies", "audit"]);
    assert_eq!(audit.as_array().unwrap().len(), 4, "{audit:#}");
}

#[test]
fn usage_errors_exit_2() {
    let env = seeded();
    let (code, _, err) = env.json(&["subsidies", "eval", "--as-of", "not a date"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = env.json(&["company", "set", ALI, "--spend", "2024:compute:1.5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("whole number of yuan"), "{err}");
    let (code, _, err) = env.json(&["company", "set", ALI]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = env.json(&["subsidies", "eval", "--company", "没有这家公司"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not_found"), "{err}");
}

/// `--lang zh` words the same reasons and notes in Chinese; the codes do not change.
#[test]
fn reasons_and_notes_come_in_chinese_with_lang_zh() {
    let env = seeded();
    let args = |lang: &str, totals: bool| {
        let mut a = vec![
            "subsidies",
            "eval",
            "--company",
            ALI,
            "--as-of",
            "2024-06-30",
            "--lang",
        ];
        a.push(if lang == "zh" { "zh" } else { "en" });
        if totals {
            a.push("--totals");
        }
        let (code, v, err) = env.json(&a);
        assert_eq!(code, 0, "{err}");
        v
    };
    let (zh, en) = (args("zh", false), args("en", false));
    let (zh_hz, en_hz) = (
        row(&zh, "hangzhou-model-filing"),
        row(&en, "hangzhou-model-filing"),
    );
    assert_eq!(codes(zh_hz), codes(en_hz));
    let r = reasons(zh_hz);
    assert!(
        r.contains(
            &"缺少企业信息：经确认的注册城市（目前为 杭州市，由名称推断，未确认）".to_string()
        ),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|x| x.starts_with("已于 2023-09-12 完成备案（ZheJiang-TongYiQianWen-20230901）")),
        "{r:?}"
    );
    // No English sentence is left: what Latin letters remain are the filing numbers'.
    for x in &r {
        let without_numbers = x.replace("ZheJiang-TongYiQianWen-20230901", "");
        assert!(
            !without_numbers.chars().any(|c| c.is_ascii_alphabetic()),
            "{x}"
        );
    }

    let totals = args("zh", true);
    let cd = row(&totals, "chengdu-first-ten");
    assert!(
        cd["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("按备案日期取前 10 名")),
        "{cd:#}"
    );
    assert_eq!(cd["note_codes"][0]["code"], "first_n");
    assert_eq!(cd["note_codes"][0]["params"]["n"], 10);
}
