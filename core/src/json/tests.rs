//! The reader and writer held to serde_json's, which wrote (and read) every stored document
//! before them.

use super::*;
use proptest::prelude::*;
use serde_json::Value;

/// Whether `ours` is what serde_json read as `theirs`: the same structure, and numbers that
/// serde_json reads to the same value from the text kept.
fn same(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        // serde_json's own float reading is not always exact to the last bit: compare what it
        // reads from the text kept with what it reads from its own printing of its number.
        (Json::Number(a), Value::Number(b)) => {
            serde_json::from_str::<Value>(a).ok() == serde_json::from_str(&b.to_string()).ok()
                && ours.as_u64() == b.as_u64()
                && ours.as_i64() == b.as_i64()
        }
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Object(a), Value::Object(b)) => {
            // A repeated name is one entry in serde_json's map, its last value.
            let mut names: Vec<&String> = a.iter().map(|(k, _)| k).collect();
            names.sort();
            names.dedup();
            names.len() == b.len()
                && names.iter().all(|k| {
                    b.get(*k)
                        .is_some_and(|w| a.get(k).is_some_and(|v| same(v, w)))
                })
        }
        _ => false,
    }
}

fn read_alike(text: &str) {
    let theirs = serde_json::from_str::<Value>(text);
    let ours = parse(text);
    match (&ours, &theirs) {
        (Some(o), Ok(t)) => assert!(same(o, t), "read differently: {text:?}"),
        (None, Err(_)) => {}
        _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

#[test]
fn documents_read_as_serde_json_reads_them() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "1.5",
        "-0.25e-3",
        "1E+2",
        "1e2",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        r#""""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u20AC""#,
        r#""\ud83d\ude00""#,
        r#""é€😀""#,
        r#""é\n€\"😀\u00e9x""#,
        "[]",
        "[ ]",
        "{}",
        "{ }",
        "[1,[2,[3]]]",
        r#"{"a":1,"b":[true,null],"c":{"d":"e"}}"#,
        "\t\n\r [1]\n",
        // Refused by both.
        "",
        " ",
        "nul",
        "tru",
        "True",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{,}",
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        r#"{a:1}"#,
        "{'a':1}",
        r#""unterminated"#,
        r#""\x""#,
        r#""\u12""#,
        r#""\ud83d""#,
        r#""\ud83d\u0041""#,
        r#""\ude00""#,
        "\"tab\there\"",
        "[1] 2",
        "[1]x",
        "// c\n1",
        "[",
        "{",
        "]",
        r#"{"a":}"#,
        "[-]",
        "1.e3",
        "1.5e",
    ] {
        read_alike(text);
    }
}

#[test]
fn a_repeated_name_reads_as_its_last_value() {
    let doc = parse(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(doc.get("a").and_then(Json::as_u64), Some(2));
    read_alike(r#"{"a":1,"a":2}"#);
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [1, 100, 126, 127, 128, 129, 500, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        read_alike(&text);
        let text = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        read_alike(&text);
    }
}

#[test]
fn integers_are_read_as_serde_json_reads_them() {
    let n = |t: &str| parse(t).unwrap();
    assert_eq!(n("4294967295").as_u64(), Some(4_294_967_295));
    assert_eq!(n("-1").as_u64(), None);
    assert_eq!(n("-1").as_i64(), Some(-1));
    assert_eq!(n("1.0").as_u64(), None);
    assert_eq!(n("1e3").as_i64(), None);
    assert_eq!(n("-0").as_i64(), None);
    assert_eq!(n("18446744073709551615").as_i64(), None);
    assert_eq!(n("\"5\"").as_u64(), None);
}

#[test]
fn scaled_numbers_are_exact_and_round_half_away_from_zero() {
    let s = |t: &str, places| parse(t).unwrap().scaled(places);
    assert_eq!(s("9.895", 3), Some(9895));
    assert_eq!(s("0.005", 3), Some(5));
    assert_eq!(s("0.0005", 3), Some(1));
    assert_eq!(s("0.00049", 3), Some(0));
    assert_eq!(s("-0.0005", 3), Some(-1));
    assert_eq!(s("10", 3), Some(10_000));
    assert_eq!(s("4000.0", 0), Some(4000));
    assert_eq!(s("4e3", 0), Some(4000));
    assert_eq!(s("1.5E-3", 3), Some(2));
    assert_eq!(s("125e-5", 3), Some(1));
    assert_eq!(s("1e-100000000000000000000", 3), Some(0));
    assert_eq!(s("1e400", 3), None);
    assert_eq!(s("1e100000000000000000000", 0), None);
    assert_eq!(s("4611686018427387903", 0), Some((1 << 62) - 1));
    assert_eq!(s("4611686018427387904", 0), None);
    assert_eq!(s("\"1\"", 0), None);
    // Mantissas longer than any exponent bound: the point goes where the exponent puts it.
    let ones = format!("1{}e-100001", "0".repeat(100_001));
    assert_eq!(s(&ones, 3), Some(1000));
    assert_eq!(parse(&ones).unwrap().whole(), Some(1));
    let tiny = format!("0.{}1e100001", "0".repeat(100_000));
    assert_eq!(s(&tiny, 0), Some(1));
    let vanishing = format!("1{}e-99999999999999999999", "0".repeat(100_001));
    assert_eq!(s(&vanishing, 3), Some(0));
    let huge = format!("0.{}1e99999999999999999999", "0".repeat(100_001));
    assert_eq!(s(&huge, 0), None);
    assert_eq!(s("0e99999999", 3), Some(0));
    assert_eq!(s("-0.0", 3), Some(0));
    let whole = |t: &str| parse(t).unwrap().whole();
    assert_eq!(whole("4000"), Some(4000));
    assert_eq!(whole("4000.000"), Some(4000));
    assert_eq!(whole("4e3"), Some(4000));
    assert_eq!(whole("-25e-1"), None);
    assert_eq!(whole("4000.0000000000001"), None);
    assert_eq!(whole("true"), None);
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let all: String = (0u32..0x80)
        .filter_map(char::from_u32)
        .chain("é€😀\u{2028}".chars())
        .collect();
    for s in [all.as_str(), "", "plain", "\"quoted\"", "back\\slash"] {
        let mut ours = String::new();
        write_str(&mut ours, s);
        assert_eq!(ours, serde_json::to_string(s).unwrap());
        assert_eq!(parse(&ours), Some(Json::String(s.to_owned())));
    }
}

#[test]
fn pretty_printing_matches_serde_json_and_stops_at_its_bound() {
    let text = r#"{"status":{"error_code":0,"notice":null,"ok":true},"data":[{"id":1,"tags":[]},{"name":"a\"b","x":{}}],"n":-12}"#;
    let ours = pretty_prefix(&parse(text).unwrap(), 100_000);
    let theirs =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
    // serde_json's map sorts names; compare a document already in sorted order.
    let sorted = serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
    assert_eq!(pretty_prefix(&parse(&sorted).unwrap(), 100_000), theirs);
    assert!(
        ours.starts_with("{\n  \"status\": {\n    \"error_code\": 0,"),
        "{ours}"
    );
    // Numbers as the server wrote them.
    assert_eq!(
        pretty_prefix(&parse("[1.50, 2e3]").unwrap(), 100),
        "[\n  1.50,\n  2e3\n]"
    );
    // 120 levels deep around 100,000 numbers: about 200 KB of text, 24 MB pretty-printed.
    let depth = 120;
    let zeros = vec!["0"; 100_000].join(",");
    let text = format!("{}{zeros}{}", "[".repeat(depth), "]".repeat(depth));
    let shown = pretty_prefix(&parse(&text).unwrap(), 20_000);
    assert_eq!(shown.len(), 20_000);
    assert!(shown.starts_with("[\n  [\n    ["), "{}", &shown[..20]);
    // The bound never splits a character.
    assert_eq!(pretty_prefix(&parse(r#""éé""#).unwrap(), 2), "\"");
}

/// JSON values of every kind, nested a few levels.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn what_serde_json_writes_reads_alike(v in value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
        let ours = parse(&text).expect("serde_json's text is JSON");
        prop_assert!(same(&ours, &v), "{}", text);
    }

    #[test]
    fn any_text_reads_alike_or_is_refused_by_both(text in "[\\[\\]{}:,\"\\\\ 0-9a-fA-Fuetrnls.eE+-]{0,40}") {
        read_alike(&text);
    }

    #[test]
    fn any_number_scales_as_its_float_does(n in -1e12f64..1e12, places in 0u32..4) {
        let text = serde_json::to_string(&n).unwrap();
        let exact = parse(&text).unwrap().scaled(places).unwrap();
        let float = (n * 10f64.powi(places as i32)).round() as i64;
        // The float is off by at most one where the decimal sits on a half.
        prop_assert!((exact - float).abs() <= 1, "{} {} {}", text, exact, float);
    }
}
