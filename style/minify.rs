// The widget's stylesheet as it ships: without comments and the whitespace no browser needs
// (gzip cannot remove them: about 0.4 KB of every download). Included by `build.rs`, which
// writes the result beside the build, and by the crate's tests (`src/embed.rs`).
//
// Conservative on purpose: quoted strings are copied as they are; a space goes only beside
// `{ } ; ,` and after `:` (where CSS never needs one), so `a :hover`, `calc(1px + 2px)` and
// `and (max-width: 560px)` keep theirs.

/// `css` without comments, with each run of whitespace one space or none.
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    // A run of whitespace (or a comment) seen but not yet written.
    let mut space = false;
    while let Some(c) = chars.next() {
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
                space = true;
            }
            c if c.is_whitespace() => space = true,
            '"' | '\'' => {
                flush_space(&mut out, &mut space, c);
                out.push(c);
                let mut escaped = false;
                for s in chars.by_ref() {
                    out.push(s);
                    if escaped {
                        escaped = false;
                    } else if s == '\\' {
                        escaped = true;
                    } else if s == c {
                        break;
                    }
                }
            }
            '}' => {
                space = false;
                if out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
            }
            c => {
                flush_space(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes the pending space before `next`, unless neither side needs it.
fn flush_space(out: &mut String, space: &mut bool, next: char) {
    if std::mem::take(space)
        && !out.is_empty()
        && !matches!(next, '{' | '}' | ';' | ',')
        && !out.ends_with(['{', '}', ';', ',', ':'])
    {
        out.push(' ');
    }
}
