//! The widget's styles: `style/main.css` as it ships, minified by the build (`build.rs`).

/// The widget's styles, placed inside each shadow root (and in the app's page, see `crate::start`).
pub(crate) const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/main.css"));

#[cfg(test)]
mod tests {
    include!("../style/minify.rs");

    use super::STYLES;

    #[test]
    fn comments_and_spare_whitespace_go() {
        let css =
            "/* a note */\n.cg  .gauge ,\n.cg a:hover {\n  color : red ;\n  margin: 0 auto;\n}\n";
        assert_eq!(
            minify_css(css),
            ".cg .gauge,.cg a:hover{color :red;margin:0 auto}"
        );
    }

    #[test]
    fn spaces_that_mean_something_stay() {
        let css = "@media (max-width: 560px) and (prefers-contrast: more) {\n  .cg :focus { width: calc(100% - 2px) !important; }\n}";
        assert_eq!(
            minify_css(css),
            "@media (max-width:560px) and (prefers-contrast:more){.cg :focus{width:calc(100% - 2px) !important}}"
        );
    }

    #[test]
    fn quoted_strings_are_copied_as_they_are() {
        let css = ".cg[data-theme=\"a  /* b */ c\"] { font: 14px \"Segoe  UI\", 'x\\'  y'; }";
        assert_eq!(
            minify_css(css),
            ".cg[data-theme=\"a  /* b */ c\"]{font:14px \"Segoe  UI\",'x\\'  y'}"
        );
    }

    #[test]
    fn the_shipped_styles_are_the_stylesheet_minified() {
        let source = include_str!("../style/main.css");
        assert_eq!(STYLES, minify_css(source));
        assert!(
            STYLES.len() < source.len() * 4 / 5,
            "{} of {}",
            STYLES.len(),
            source.len()
        );
        // Every rule is still there: as many blocks, and each selector of the source.
        assert_eq!(STYLES.matches('{').count(), source.matches('{').count());
        for selector in [
            ".cg[data-theme=\"dark\"]",
            "@media (max-width:560px)",
            ".cg input[type=\"checkbox\"]",
        ] {
            assert!(STYLES.contains(selector), "{selector}");
        }
    }
}
