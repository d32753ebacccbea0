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

    const WIDGET: &str = include_str!("../style/widget.css");
    const PANELS: &str = include_str!("../style/panels.css");

    #[test]
    fn the_shipped_styles_are_the_stylesheets_minified() {
        let widget = minify_css(WIDGET);
        let expected = if cfg!(feature = "panels") {
            widget.clone() + &minify_css(PANELS)
        } else {
            widget.clone()
        };
        assert_eq!(STYLES, expected);
        let source = WIDGET.len()
            + if cfg!(feature = "panels") {
                PANELS.len()
            } else {
                0
            };
        assert!(
            STYLES.len() < source * 4 / 5,
            "{} of {source}",
            STYLES.len()
        );
        // Every rule is still there: as many blocks, and each selector of the sources.
        let blocks = |css: &str| css.matches('{').count();
        let panels = if cfg!(feature = "panels") {
            blocks(PANELS)
        } else {
            0
        };
        assert_eq!(blocks(STYLES), blocks(WIDGET) + panels);
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
    fn every_class_the_gauges_view_sets_has_its_rule_without_the_panels() {
        let widget = minify_css(WIDGET);
        for class in [
            ".cg-head",
            ".cg-api",
            ".gauge-label",
            ".gauge-text",
            ".gauge-reset",
            ".gauge-source",
            ".sync-row",
            ".sync-note",
            ".team-note",
            ".notice",
            ".warning",
            ".intro",
            ".queue-item",
            ".queue-title",
            ".queue-state",
            ".countdown",
            ".cg button.cancel",
        ] {
            assert!(widget.contains(class), "{class}");
        }
    }
}
