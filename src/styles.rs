//! The widget's styles as they ship, minified by the build (`build.rs`): `style/widget.css`, and
//! in the whole widget's module `style/panels.css` after it. The compact module never shows a
//! panel, so it does not carry their rules.

/// The widget's styles, placed inside each shadow root (and in the app's page, see `crate::start`).
#[cfg(not(feature = "panels"))]
pub(crate) const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));
/// The widget's styles, placed inside each shadow root (and in the app's page, see `crate::start`).
#[cfg(feature = "panels")]
pub(crate) const STYLES: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/widget.css")),
    include_str!(concat!(env!("OUT_DIR"), "/panels.css"))
);

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
    fn an_unquoted_url_is_copied_as_it_is() {
        let css = ".a { background: url(http://x/*.png) no-repeat; } /* x */ .b { color: red; }";
        assert_eq!(
            minify_css(css),
            ".a{background:url(http://x/*.png) no-repeat}.b{color:red}"
        );
        assert_eq!(minify_css(".a{b:URL( x;y.png )}"), ".a{b:URL(x;y.png )}");
        assert_eq!(minify_css(".a{b:url( \"a b\" )}"), ".a{b:url(\"a b\" )}");
    }

    #[test]
    fn a_comment_is_no_space_unless_two_names_would_run_together() {
        assert_eq!(minify_css(".a/**/.b{}"), ".a.b{}");
        assert_eq!(minify_css(".a /* x */ .b{}"), ".a .b{}");
        assert_eq!(minify_css(".a{margin:1px/**/2px}"), ".a{margin:1px 2px}");
        assert_eq!(minify_css(".a{b:c/* x */;}"), ".a{b:c}");
    }

    #[test]
    fn escaped_characters_are_copied_as_they_are() {
        assert_eq!(minify_css(".a{content:x\\;}"), ".a{content:x\\;}");
        assert_eq!(minify_css(".a\\{ .b{}"), ".a\\{ .b{}");
        assert_eq!(minify_css(".\\31 0{}"), ".\\31 0{}");
        assert_eq!(minify_css(".a{b:\\ c}"), ".a{b:\\ c}");
    }

    #[test]
    fn only_css_whitespace_is_whitespace() {
        // U+00A0 is a character of a name in CSS, not a space.
        assert_eq!(minify_css(".a\u{a0}b { }"), ".a\u{a0}b{}");
        assert_eq!(minify_css(".a\t\r\n\u{c}.b{}"), ".a .b{}");
    }

    const WIDGET: &str = include_str!("../style/widget.css");
    const PANELS: &str = include_str!("../style/panels.css");

    #[test]
    fn the_shipped_styles_are_the_stylesheets_minified() {
        // The panels' stylesheet ships in the whole widget's module only.
        let panels = if cfg!(feature = "panels") { PANELS } else { "" };
        assert_eq!(STYLES, minify_css(WIDGET) + &minify_css(panels));
        let source = WIDGET.len() + panels.len();
        assert!(
            STYLES.len() < source * 4 / 5,
            "{} of {source}",
            STYLES.len()
        );
        // Every rule is still there: as many blocks, and each selector of the sources.
        let blocks = |css: &str| css.matches('{').count();
        assert_eq!(blocks(STYLES), blocks(WIDGET) + blocks(panels));
        for selector in [
            ".cg[data-theme=\"dark\"]",
            "@media (max-width:560px)",
            ".gauge-text",
        ] {
            assert!(STYLES.contains(selector), "{selector}");
        }
        assert_eq!(
            STYLES.contains(".cg input[type=\"checkbox\"]"),
            cfg!(feature = "panels"),
            "the panels' rules ship with the panels alone"
        );
    }

    #[test]
    fn no_class_the_gauges_view_sets_is_styled_by_the_panels_alone() {
        // The classes the always-visible view creates elements with, read from its source
        // (`el("tag", "class more")`): a rule for one of them in the panels' stylesheet only
        // would leave compact gauges unstyled.
        let view = include_str!("components/widget_view.rs");
        let (widget, panels) = (minify_css(WIDGET), minify_css(PANELS));
        let styles = |css: &str, class: &str| {
            let selector = format!(".{class}");
            css.match_indices(&selector).any(|(at, _)| {
                !css[at + selector.len()..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
        };
        let mut seen = Vec::new();
        for call in view.split("el(\"").skip(1) {
            let Some(classes) = call.split('"').nth(2) else {
                continue;
            };
            for class in classes.split_whitespace() {
                assert!(
                    !styles(&panels, class) || styles(&widget, class),
                    ".{class} is styled in style/panels.css only"
                );
                seen.push(class);
            }
        }
        assert!(seen.contains(&"gauge-text") && seen.len() >= 10, "{seen:?}");
        // The check can fail: the request form's own class is styled by the panels alone.
        assert!(styles(&panels, "preview") && !styles(&widget, "preview"));
    }
}
