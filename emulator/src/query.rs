//! Query strings, decoded by hand so that bad input (non-UTF-8 after percent-decoding, stray
//! `%`) becomes the API's own 400 naming the argument instead of a framework rejection.

/// The decoded `name=value` pairs of a query string, in order.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// A query string that could not be decoded; holds the argument's name if it was readable.
#[derive(Debug)]
pub struct BadQuery(pub String);

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `raw` (and `+` as a space, as forms do); `None` if the bytes are not UTF-8.
pub fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, BadQuery> {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = decode(name).ok_or_else(|| BadQuery(String::new()))?;
            let value = decode(value).ok_or_else(|| BadQuery(name.clone()))?;
            pairs.push((name, value));
        }
        Ok(Query { pairs })
    }

    /// The value of `name`; when it is repeated, the last one wins.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every `(name, value)` pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(n, _)| n.as_str())
    }

    /// The pairs except those named, re-encoded, for forwarding upstream.
    pub fn without(&self, drop: &[&str]) -> Vec<(String, String)> {
        self.pairs
            .iter()
            .filter(|(n, _)| !drop.contains(&n.as_str()))
            .cloned()
            .collect()
    }
}

/// Percent-encodes a query component (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus() {
        let q = Query::parse(Some("convert=USD%2CEUR&symbol=a+b&x")).expect("ok");
        assert_eq!(q.get("convert"), Some("USD,EUR"));
        assert_eq!(q.get("symbol"), Some("a b"));
        assert_eq!(q.get("x"), Some(""));
    }

    #[test]
    fn non_utf8_names_the_argument() {
        let err = Query::parse(Some("limit=%FF")).expect_err("not utf-8");
        assert_eq!(err.0, "limit");
    }

    /// A small deterministic generator (xorshift), so the property test needs no dependency.
    pub(crate) struct Gen(u64);

    impl Gen {
        pub(crate) fn new(seed: u64) -> Gen {
            Gen(seed | 1)
        }

        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A string of up to `max` pieces drawn from `alphabet`.
        pub(crate) fn text(&mut self, alphabet: &[&str], max: u64) -> String {
            let n = self.next() % (max + 1);
            (0..n)
                .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
                .collect()
        }
    }

    /// Pieces that stress the decoder: separators, escapes (good, cut short, not hex, not
    /// UTF-8 once decoded), multi-byte characters.
    const QUERY_PIECES: &[&str] = &[
        "&",
        "=",
        "%",
        "+",
        "%2",
        "%41",
        "%4",
        "%zz",
        "%FF",
        "%C3",
        "%A9",
        "%e2%82%ac",
        "%00",
        "a",
        "Z",
        "0",
        "9",
        "é",
        "€",
        "😀",
        " ",
        ",",
        "emulator_fault",
        "CMC_PRO_API_KEY",
        "limit",
        "%%",
        "=&",
        "&&",
        "==",
    ];

    #[test]
    fn the_parser_never_panics_and_round_trips_what_it_encodes() {
        let mut g = Gen::new(0x5eed_cafe);
        for _ in 0..20_000 {
            let raw = g.text(QUERY_PIECES, 40);
            // Never a panic; a failure names an argument that did decode, or none.
            match Query::parse(Some(&raw)) {
                Ok(q) => {
                    for (n, v) in q.pairs() {
                        // Every pair survives encoding and decoding unchanged.
                        assert_eq!(decode(&encode(n)).as_deref(), Some(n), "{raw:?}");
                        assert_eq!(decode(&encode(v)).as_deref(), Some(v), "{raw:?}");
                        assert!(!n.is_empty() || raw.contains("&=") || raw.starts_with('='));
                    }
                }
                Err(BadQuery(name)) => assert!(name.len() <= raw.len(), "{raw:?}"),
            }
            // Decoding never grows the text.
            if let Some(d) = decode(&raw) {
                assert!(d.len() <= raw.len(), "{raw:?}");
            }
            // Text without escapes or `+` decodes to itself.
            if !raw.contains('%') && !raw.contains('+') {
                assert_eq!(decode(&raw).as_deref(), Some(raw.as_str()));
            }
        }
    }

    #[test]
    fn a_stray_percent_is_kept() {
        assert_eq!(decode("50%").as_deref(), Some("50%"));
        assert_eq!(decode("%4").as_deref(), Some("%4"));
        assert_eq!(decode("%41").as_deref(), Some("A"));
    }
}
