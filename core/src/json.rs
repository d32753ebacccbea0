//! JSON text, read and written by hand: the API's answers, the stored ledger and the shell's
//! stored settings, history and keys.
//!
//! Why not serde_json: in the widget's download its parser, its `Value` map and the serialisers
//! serde derives weighed more than everything here together, and they bring a float parser and
//! printer the widget has no other use for. Numbers are kept as the text the server wrote and
//! read exactly when asked ([`Json::as_u64`], [`Json::scaled`]), so no float is ever involved.
//!
//! The reader accepts what serde_json's does (RFC 8259: one value, whitespace around it, no
//! trailing commas, no comments, escapes checked, no lone surrogate), nested at most
//! [`MAX_DEPTH`] deep as serde_json allows; the tests hold it to serde_json's on generated
//! documents. Two differences, both on text no server of ours writes: a number too large for a
//! float (`1e400`) is read (serde_json refuses the document), and an object that repeats a name
//! keeps both entries (reading a name gives the last, as serde_json's map keeps the last).

/// How many arrays and objects may nest (serde_json's limit): beyond this a document is
/// refused, so hostile text cannot exhaust the stack.
pub const MAX_DEPTH: usize = 127;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number, as written (it follows JSON's grammar).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// An object's entries, in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object(pub Vec<(String, Json)>);

impl Object {
    /// The value of `name` (the last one, if the name is repeated).
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, Json)> {
        self.0.iter()
    }
}

impl Json {
    /// The value of `name`, when this is an object that has it.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.as_object()?.get(name)
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// An integer written without fraction or exponent that fits a `u64` (as serde_json reads
    /// integers: `1.0` and `1e3` are not).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) if is_integer(n) => crate::integer::parse_u64(n),
            _ => None,
        }
    }

    /// An integer written without fraction or exponent that fits an `i64`. `-0` is not one:
    /// serde_json reads it as a float.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if is_integer(n) && n != "-0" => crate::integer::parse_i64(n),
            _ => None,
        }
    }

    /// The number times 10^`places`, exactly, rounded half away from zero (`0.0055` with 3
    /// places is 6); `None` when it is not a number or does not fit within ±2^62.
    pub fn scaled(&self, places: u32) -> Option<i64> {
        match self {
            Json::Number(n) => scaled(n, places).map(|(value, _)| value),
            _ => None,
        }
    }

    /// A number whose value is whole, however written (`4000`, `4000.0`, `4e3`), within ±2^62.
    pub fn whole(&self) -> Option<i64> {
        match self {
            Json::Number(n) => scaled(n, 0).and_then(|(value, exact)| exact.then_some(value)),
            _ => None,
        }
    }
}

fn is_integer(n: &str) -> bool {
    !n.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// See [`Json::scaled`]; `number` follows JSON's grammar. Also says whether no digit was
/// rounded off.
fn scaled(number: &str, places: u32) -> Option<(i64, bool)> {
    let (negative, rest) = match number.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, number),
    };
    // Split, not sliced: a slice's out-of-bounds panic would link the standard library's
    // string escaping into the download, for an index that cannot be out of bounds.
    let (mantissa, exponent) = rest.split_once(['e', 'E']).unwrap_or((rest, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // An exponent beyond an i64 only makes the number 0 or too large: saturate, never clamp
    // to a smaller bound (a mantissa of many digits would then put its point in the wrong place).
    let exponent: i64 =
        crate::integer::parse_i64(exponent).unwrap_or(if exponent.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        });
    // The digits, and where the decimal point falls among them once scaled.
    let digits = whole.bytes().chain(fraction.bytes());
    let point = (whole.len() as i64)
        .saturating_add(exponent)
        .saturating_add(i64::from(places));
    let mut value: i64 = 0;
    let mut round_up = false;
    let mut exact = true;
    let mut position = 0i64;
    for d in digits {
        let d = i64::from(d - b'0');
        if position < point {
            value = value.checked_mul(10)?.checked_add(d)?;
        } else {
            round_up |= position == point && d >= 5;
            exact &= d == 0;
        }
        position += 1;
    }
    // Zeros the exponent adds after the written digits: none make 0 larger, and any other
    // value is too large within 19 of them, so this stops early whatever the exponent.
    if value != 0 {
        while position < point {
            value = value.checked_mul(10)?;
            position += 1;
        }
    }
    value = value.checked_add(i64::from(round_up))?;
    if value >= 1 << 62 {
        return None;
    }
    Some((if negative { -value } else { value }, exact))
}

/// Reads a JSON document; `None` when the text is not one.
pub fn parse(text: &str) -> Option<Json> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(b);
        self.at += usize::from(found);
        found
    }

    fn word(&mut self, word: &[u8], value: Json) -> Option<Json> {
        let found = self.bytes[self.at..].starts_with(word);
        self.at += word.len();
        found.then_some(value)
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.skip_space();
        match self.peek()? {
            b'n' => self.word(b"null", Json::Null),
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' | b'{' if depth >= MAX_DEPTH => None,
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        self.eat(b',').then_some(())?;
                    }
                }
                Some(Json::Array(items))
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_space();
                        let name = self.string()?;
                        self.eat(b':').then_some(())?;
                        entries.push((name, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        self.eat(b',').then_some(())?;
                    }
                }
                Some(Json::Object(Object(entries)))
            }
            _ => self.number(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        self.at += usize::from(self.peek() == Some(b'-'));
        let leading_zero = self.peek() == Some(b'0');
        let whole = self.digits();
        if whole == 0 || (leading_zero && whole > 1) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            (self.digits() > 0).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            self.at += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            (self.digits() > 0).then_some(())?;
        }
        Some(Json::Number(self.run(start)?.to_owned()))
    }

    /// The text from `start` to the reader. Both ends are next to ASCII bytes (a run stops at
    /// one), so they are character boundaries and the text needs no UTF-8 check again.
    fn run(&self, start: usize) -> Option<&str> {
        self.text.get(start..self.at)
    }

    fn hex4(&mut self) -> Option<u32> {
        let text = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        text.iter()
            .try_fold(0, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))
    }

    /// A string, the reader at its opening quote.
    fn string(&mut self) -> Option<String> {
        (self.peek() == Some(b'"')).then_some(())?;
        self.at += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters at once (the text is UTF-8 already).
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            out.push_str(self.run(start)?);
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.at += 1;
                    let escape = self.peek()?;
                    self.at += 1;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    });
                }
                // A control character must be escaped.
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape (the reader after the `u`), a surrogate pair included.
    fn escaped_char(&mut self) -> Option<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.bytes[self.at..].starts_with(b"\\u").then_some(())?;
                self.at += 2;
                let second = self.hex4()?;
                (0xDC00..=0xDFFF)
                    .contains(&second)
                    .then(|| 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?
            }
            _ => first,
        };
        char::from_u32(code)
    }
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it (so stored text stays the same
/// whichever wrote it).
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                out.push_str("\\u00");
                crate::text::push_hex(out, u64::from(c), 2);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The start of `value` pretty-printed (two spaces a level, as serde_json and
/// `JSON.stringify(v, null, 2)` print), at most `max` bytes: the printer stops there, since
/// indentation grows with depth and a deeply nested answer of a few megabytes would otherwise
/// print to gigabytes. Numbers are shown as the server wrote them.
pub fn pretty_prefix(value: &Json, max: usize) -> String {
    let mut out = String::new();
    pretty(value, 0, &mut out, max);
    if out.len() > max {
        let mut end = max;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn pretty(value: &Json, depth: usize, out: &mut String, max: usize) {
    if out.len() > max {
        return;
    }
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => write_str(out, s),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Object(o) if o.is_empty() => out.push_str("{}"),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if out.len() > max {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                pretty(item, depth + 1, out, max);
            }
            newline(out, depth);
            out.push(']');
        }
        Json::Object(o) => {
            out.push('{');
            for (i, (name, item)) in o.iter().enumerate() {
                if out.len() > max {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_str(out, name);
                out.push_str(": ");
                pretty(item, depth + 1, out, max);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests;
