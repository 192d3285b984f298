//! The YAML writer against serde-saphyr, the oracle: the same bytes for tricky strings and keys
//! in every place a scalar can stand, for seeded random strings, numbers and trees, and for
//! the typed shapes config structs are made of.

use oxidy_modules::contract::yaml::{encode, oracle};
use serde::Serialize;
use serde_json::{Value, json};

/// Fails with both texts when the writer and serde-saphyr disagree on `value`.
fn same<T: Serialize + std::fmt::Debug>(value: &T) {
    let ours = encode(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    let theirs = oracle::saphyr(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    if ours != theirs {
        let line = ours.lines().zip(theirs.lines()).position(|(a, b)| a != b).unwrap_or(0);
        let shown: String = format!("{value:?}").chars().take(300).collect();
        panic!(
            "for {shown}: line {}:\n  writer:       {:?}\n  serde-saphyr: {:?}",
            line + 1,
            ours.lines().nth(line),
            theirs.lines().nth(line)
        );
    }
}

/// `s` as the document, as a key and as a value in every place the writer distinguishes.
fn in_every_place(s: &str) {
    for doc in [
        json!(s),
        json!({ "k": s }),
        json!({ s: "v" }),
        json!({ s: { s: [s] } }),
        json!([s]),
        json!([[s, s], [[s]]]),
        json!([{ "a": s, "b": [s, { "c": s }] }]),
        json!({ "a": { "b": s, "c": [{ "d": s, "e": [[s]] }] }, "z": s }),
        json!([{ s: [{ s: s }] }]),
    ] {
        same(&doc);
    }
}

const TRICKY: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n",
    "a\n",
    "a\n\n",
    "a\n\n\n",
    "\na",
    "\n\na\n",
    " a\n",
    "\n  a\n b",
    "a\n b",
    "a\r\nb",
    "a\rb",
    "a\tb",
    "\ta\n",
    "a\n\tb",
    "a \nb ",
    "a\n\n\nb\n",
    "~",
    "null",
    "Null",
    "NULL",
    "true",
    "True",
    "FALSE",
    "yes",
    "Yes",
    "no",
    "NO",
    "y",
    "Y",
    "n",
    "N",
    "on",
    "On",
    "off",
    "OFF",
    "nan",
    ".nan",
    ".NaN",
    "inf",
    "-inf",
    "+inf",
    ".inf",
    "-.inf",
    "+.INF",
    "0",
    "00",
    "007",
    "0777",
    "0o17",
    "0O17",
    "0x1F",
    "0X1f",
    "0b101",
    "0b",
    "0x",
    "0x_",
    "0b+1",
    "0o-7",
    "-0b1",
    "1_000",
    "1__0",
    "_1",
    "1_",
    "1e3",
    "1E3",
    "1e+3",
    "1e-3",
    "1.5e3",
    ".5",
    "5.",
    ".",
    "..",
    "...",
    "1.2.3",
    "1.2.3.4",
    "+1",
    "-1",
    "+",
    "-",
    "--",
    "---",
    "--- a",
    "...a",
    "... x",
    "---a",
    "12:30",
    "1:30:00",
    "01:30",
    "-1:30",
    "1:60",
    "1:5.5",
    "190:20:30.15",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14 21:59:43",
    "2001-1-1",
    "2001-12-14T",
    "20011-12-14",
    "2001-12-14 1:2:3Z",
    "2001-12-14 1:2:3 +01:00",
    "2001-12-14 1:2:3+1:0",
    "<<",
    "=",
    "==",
    "<",
    "a:b",
    "a: b",
    "a:",
    "a:\u{3000}",
    "a :",
    ":a",
    "::",
    "a#b",
    "a #b",
    "a\u{a0}#b",
    "#a",
    "#",
    "a,b",
    "[a]",
    "a[b]",
    "{a}",
    "a{b}",
    "&a",
    "*a",
    "!a",
    "|",
    ">",
    "'",
    "\"",
    "'a'",
    "\"a\"",
    "%a",
    "@a",
    "`a",
    "?a",
    "? a",
    "?",
    "-a",
    "- a",
    "-\ta",
    "a-",
    "a?",
    "a\\b",
    "\\",
    "é",
    "字",
    "a\u{85}b",
    "a\u{2028}b",
    "a\u{2029}b",
    "\u{feff}a",
    "a\u{fffe}",
    "a\u{ffff}",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
    "\u{9f}",
    "\u{80}",
    "\u{a0}",
    "a\u{a0}",
    "\u{a0}a",
    "a\u{3000}",
    "😀",
    "a😀b",
    "a\u{0}b\n",
    "line one\nline two\n",
    "  indented\nnext\n",
    "\n  indented after blank\n",
    "trailing spaces  \nx\n",
    "http://example.com:8080/path?q=1#frag",
    "image:tag",
    "k8s.io/app: x",
    "100m",
    "128Mi",
    "0.0.0.0:4317",
    "v1.2.3",
    "sum(rate(x{a=~\"b|c\"}[5m])) by (le) > 0.5",
    "${VAR}",
    "$(VAR)",
    "{{ .Value }}",
    "a'b",
    "it's",
];

#[test]
fn tricky_strings_match_in_every_place() {
    for s in TRICKY {
        in_every_place(s);
    }
}

#[test]
fn long_strings_match() {
    let long_line = "word: value, ".repeat(200);
    let long_key = "k".repeat(1100);
    let wide_key = "é".repeat(600);
    let long_lines = "{\n  \"panels\": [\n    {\"expr\": \"rate(x[5m])\"}\n  ]\n}\n".repeat(500);
    for s in [long_line.as_str(), long_key.as_str(), wide_key.as_str(), long_lines.as_str(), &"a".repeat(5000)] {
        in_every_place(s);
    }
}

/// A small deterministic generator (xorshift64*), so that every run tests the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn string(&mut self, alphabet: &[char], max_len: usize) -> String {
        let len = self.below(max_len + 1);
        (0..len).map(|_| *self.pick(alphabet)).collect()
    }
}

/// Every character the quoting rules look at, and some they must let through.
const MIXED: &[char] = &[
    ':', '#', '-', '?', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\\', ' ', ' ',
    '\t', '\n', '\n', '\r', '~', '<', '=', '.', '_', '+', '0', '1', '5', '9', 'a', 'e', 'E', 'n', 'o', 'y', 'x', 'T',
    'Z', 'é', '字', '\u{a0}', '\u{3000}', '\u{85}', '\u{2028}', '\u{feff}', '\u{0}', '\u{7f}', '😀',
];

/// The characters of numbers, dates, times and booleans, to reach the look-alike rules.
const NUMERIC: &[char] = &[
    '0', '1', '2', '5', '7', '9', '0', '1', '6', '.', '_', '+', '-', ':', 'e', 'E', 'x', 'X', 'o', 'O', 'b', 'B', 'a',
    'f', 'T', 't', 'Z', ' ', '\t', ',', 'i', 'n',
];

#[test]
fn random_strings_match_as_values_and_keys() {
    let mut rng = Rng(0x5eed_0001);
    for round in 0..6000 {
        let alphabet = if round % 2 == 0 { MIXED } else { NUMERIC };
        let s = rng.string(alphabet, if round % 50 == 0 { 200 } else { 12 });
        same(&json!({ "k": s, "l": [s, [s]], s.clone(): { "m": s } }));
    }
}

#[test]
fn numeric_look_alikes_match() {
    // Every string of up to four characters from a number-heavy alphabet, exhaustively.
    let alphabet = ['0', '1', '7', '.', '_', '+', '-', ':', 'e', 'x', 'b', 'o', 'n', 'i', 'f'];
    let mut strings = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..4 {
        last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
        strings.extend(last.iter().cloned());
    }
    for chunk in strings.chunks(64) {
        let map: serde_json::Map<String, Value> = chunk.iter().map(|s| (s.clone(), json!(s))).collect();
        same(&Value::Object(map));
    }
}

#[test]
fn numbers_match() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..3000 {
        let bits = rng.next();
        let wide = f64::from_bits(bits);
        let narrow = f32::from_bits(bits as u32);
        let small = (bits % 2_000_001) as f64 / 1000.0 - 1000.0;
        same(&(wide, narrow, small, bits, bits as i64, i128::from(bits as i64) * 1_000_000_007));
        same(&json!({ "f": small, "i": bits as i64, "u": bits }));
    }
    for v in
        [0.0, -0.0, 1.0, 1e21, 1e-7, 123456789.0, f64::MAX, f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, -f64::INFINITY]
    {
        same(&v);
        same(&vec![v]);
        same(&[(1u8, v)].into_iter().map(|(k, v)| (k.to_string(), v)).collect::<std::collections::BTreeMap<_, _>>());
    }
}

/// A random JSON tree: what every rendered object is.
fn tree(rng: &mut Rng, depth: usize) -> Value {
    let leaf = depth == 0 || rng.below(3) == 0;
    match if leaf { rng.below(6) } else { 6 + rng.below(4) } {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64 >> rng.below(64)),
        3 => json!((rng.below(100_000) as f64) / 64.0),
        4 | 5 => json!(rng.string(MIXED, 10)),
        6 => json!({}),
        7 => json!([]),
        8 => Value::Array((0..1 + rng.below(4)).map(|_| tree(rng, depth - 1)).collect()),
        _ => Value::Object((0..1 + rng.below(4)).map(|_| (rng.string(MIXED, 6), tree(rng, depth - 1))).collect()),
    }
}

#[test]
fn random_trees_match() {
    let mut rng = Rng(0x5eed_0003);
    for _ in 0..3000 {
        same(&tree(&mut rng, 5));
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum Mode {
    Simple,
    #[serde(rename = "on")]
    On,
}

#[derive(Debug, Serialize)]
struct Name(String);

#[derive(Debug, Serialize)]
struct Inner {
    name: Name,
    ratio: f32,
    letter: char,
    pair: (u8, String),
    unit: (),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    mode: Mode,
    modes: Vec<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u32>,
    missing: Option<u32>,
    inner: Vec<Inner>,
    empty: Vec<Inner>,
    nested: Vec<Vec<Inner>>,
    by_number: std::collections::BTreeMap<u16, bool>,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
    big: i128,
    script: String,
}

fn config(rest: Value) -> Config {
    let inner = || Inner { name: Name("x: y".into()), ratio: 0.1, letter: '#', pair: (7, "no".into()), unit: () };
    Config {
        mode: Mode::On,
        modes: vec![Mode::Simple, Mode::On],
        skipped: None,
        missing: None,
        inner: vec![inner(), inner()],
        empty: vec![],
        nested: vec![vec![inner()], vec![]],
        by_number: [(1, true), (80, false)].into(),
        rest: serde_json::from_value(rest).unwrap(),
        big: -170_141_183_460_469_231_731_687_303_715_884_105_728,
        script: "#!/bin/sh\nset -eu\n  exit 0\n".into(),
    }
}

#[test]
fn typed_config_shapes_match() {
    same(&config(json!({})));
    same(&config(json!({ "extra": { "a": [1, "on"] } })));
}

#[derive(Debug, Serialize)]
enum WithData {
    Newtype(u8),
    Struct { a: u8 },
    Tuple(u8, u8),
}

#[test]
fn shapes_left_to_serde_saphyr_still_match() {
    // The writer hands these to serde-saphyr; the text is serde-saphyr's.
    same(&WithData::Newtype(1));
    same(&vec![WithData::Struct { a: 1 }, WithData::Tuple(1, 2)]);
    same(&json!({ "k".repeat(1100): 1 }));
    let before = oracle::counts().1;
    encode(&WithData::Newtype(1)).unwrap();
    assert!(oracle::counts().1 > before, "a newtype variant is left to serde-saphyr");
}
