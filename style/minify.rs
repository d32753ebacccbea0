// The widget's stylesheets as they ship: without comments and the whitespace no browser needs
// (gzip cannot remove them: about 0.4 KB of every download). Included by `build.rs`, which
// writes the result beside the build, and by the crate's tests (`src/styles.rs`).
//
// Conservative on purpose: quoted strings, unquoted `url(…)`s and escaped characters are copied
// as they are; a space goes only beside `{ } ; ,` and after `:` (where CSS never needs one), so
// `a :hover`, `calc(1px + 2px)` and `and (max-width: 560px)` keep theirs. A comment is no space
// in CSS (`.a/**/.b` is `.a.b`): it leaves one only where two names would otherwise run into one.

/// `css` without comments, with each run of whitespace one space or none.
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    // A run of whitespace seen but not yet written.
    let mut space = false;
    // A comment seen since the last character written.
    let mut comment = false;
    // Whether the last character written was escaped (a `\;` is no end of a declaration).
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if comment && !space && c != '/' && !c.is_ascii_whitespace() {
            // The comment parted two names: keep them parted.
            space = out.chars().last().is_some_and(is_name_char) && is_name_char(c);
        }
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                comment = true;
                continue;
            }
            c if c.is_ascii_whitespace() => space = true,
            '\\' => {
                flush_space(&mut out, &mut space, escaped, c);
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
                escaped = true;
                comment = false;
                continue;
            }
            '"' | '\'' => {
                flush_space(&mut out, &mut space, escaped, c);
                out.push(c);
                copy_through(&mut out, &mut chars, c);
            }
            '(' => {
                flush_space(&mut out, &mut space, escaped, c);
                out.push(c);
                let url = out
                    .len()
                    .checked_sub(4)
                    .and_then(|start| out.get(start..))
                    .is_some_and(|tail| tail.eq_ignore_ascii_case("url("));
                if url {
                    copy_url(&mut out, &mut chars);
                }
            }
            '}' => {
                space = false;
                if out.ends_with(';') && !escaped {
                    out.pop();
                }
                out.push(c);
            }
            c => {
                flush_space(&mut out, &mut space, escaped, c);
                out.push(c);
            }
        }
        if !c.is_ascii_whitespace() {
            escaped = false;
            comment = false;
        }
    }
    out
}

/// A character that may continue a name (an identifier, a number, a unit).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '\\' | '%') || !c.is_ascii()
}

/// Copies characters up to and with the first `end` that is not escaped: the rest of a string
/// that opened with the quote `end`, or of an unquoted `url(` when `end` is `)`.
fn copy_through(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars>, end: char) {
    let mut escaped = false;
    for c in chars.by_ref() {
        out.push(c);
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == end {
            break;
        }
    }
}

/// After `url(`: a quoted address is left to the main loop (it is a string); an unquoted one
/// (which may hold `/*`, `//` or `;`) is copied as it is, up to and with its `)`.
fn copy_url(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars>) {
    while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
    if !matches!(chars.peek(), Some('"' | '\'') | None) {
        copy_through(out, chars, ')');
    }
}

/// Writes the pending space before `next`, unless neither side needs it (an escaped character
/// before it is no punctuation).
fn flush_space(out: &mut String, space: &mut bool, after_escape: bool, next: char) {
    if std::mem::take(space)
        && !out.is_empty()
        && !matches!(next, '{' | '}' | ';' | ',')
        && (after_escape || !out.ends_with(['{', '}', ';', ',', ':']))
    {
        out.push(' ');
    }
}
