//! Team tokens: who may spend through the gateway. A file of `name token` lines; a request
//! names its token in `Authorization: Bearer …` or where a CoinMarketCap client puts its key
//! (`X-CMC_PRO_API_KEY`), so existing clients work unchanged with a token in place of the key.

use std::fmt;

/// The shortest token accepted: shorter ones are guessed too easily.
pub const MIN_TOKEN_LEN: usize = 16;

/// The team's tokens, each with the name it is counted under.
#[derive(Clone)]
pub struct Tokens {
    entries: Vec<(String, Vec<u8>)>,
}

// Hand-written so that printing the configuration never prints a token.
impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Tokens").field("names", &names).finish()
    }
}

impl Tokens {
    /// Reads `name token` lines; blank lines and `#` comments are skipped. Errors name the
    /// line, never the token.
    pub fn parse(text: &str) -> Result<Tokens, String> {
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(name), Some(token), None) = (words.next(), words.next(), words.next()) else {
                return Err(format!(
                    "tokens file, line {}: expected `name token`",
                    n + 1
                ));
            };
            if token.len() < MIN_TOKEN_LEN || !token.is_ascii() {
                return Err(format!(
                    "tokens file, line {}: the token of `{name}` must be at least {MIN_TOKEN_LEN} ASCII characters",
                    n + 1
                ));
            }
            if entries.iter().any(|(other, _)| other == name) {
                return Err(format!(
                    "tokens file, line {}: `{name}` appears twice",
                    n + 1
                ));
            }
            entries.push((name.to_string(), token.as_bytes().to_vec()));
        }
        if entries.is_empty() {
            return Err("the tokens file names no token".into());
        }
        Ok(Tokens { entries })
    }

    /// The name of the token `presented` is, compared in constant time against every token
    /// (no early exit, so the time taken says nothing about how much matched).
    pub fn holder(&self, presented: &[u8]) -> Option<&str> {
        let mut found = None;
        for (name, token) in &self.entries {
            if constant_time_eq(token, presented) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

/// Equal bytes, in a time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_read_by_line_and_matched_exactly() {
        let tokens = Tokens::parse(
            "# the team\nana  ana-0123456789abcdef\n\nwall-screen wall-0123456789abcdef\n",
        )
        .expect("parses");
        assert_eq!(tokens.holder(b"ana-0123456789abcdef"), Some("ana"));
        assert_eq!(tokens.holder(b"wall-0123456789abcdef"), Some("wall-screen"));
        assert_eq!(tokens.holder(b"ana-0123456789abcde"), None);
        assert_eq!(tokens.holder(b"ana-0123456789abcdefg"), None);
        assert_eq!(tokens.holder(b""), None);
        assert!(!format!("{tokens:?}").contains("0123456789"));
    }

    #[test]
    fn a_bad_tokens_file_is_refused_naming_the_line_not_the_token() {
        let short = Tokens::parse("ana short").unwrap_err();
        assert!(
            short.contains("line 1") && !short.contains("short"),
            "{short}"
        );
        assert!(Tokens::parse("ana")
            .unwrap_err()
            .contains("expected `name token`"));
        assert!(Tokens::parse("a 0123456789abcdef0\na 0123456789abcdef1")
            .unwrap_err()
            .contains("twice"));
        assert!(Tokens::parse("# nothing\n")
            .unwrap_err()
            .contains("no token"));
    }
}
