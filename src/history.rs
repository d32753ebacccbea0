//! The history of requests per API and key: the last [`HISTORY_LEN`] kept in storage, shown,
//! and exported as CSV.

use credit_gauge_core::cat;
use credit_gauge_core::from_json::{field, or_default, FromJson};
use credit_gauge_core::json::Json;
use credit_gauge_core::to_json::{object, to_json, ToJson};
use credit_gauge_core::{Credits, UnixMillis};

use crate::format;
use crate::settings::Settings;
use crate::store::page_store;
use crate::widget::Widget;

/// One line of the history.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct HistoryEntry {
    pub at: UnixMillis,
    pub endpoint: String,
    pub estimated: Credits,
    pub charged: Credits,
    pub outcome: String,
    pub ok: bool,
    /// Asked for by the host page (`fetch`), not by the widget. Absent in entries written
    /// before it existed: `false`.
    #[cfg_attr(test, serde(default))]
    pub from_page: bool,
}

/// The stored form is the one serde wrote before these (the tests hold them to it).
impl ToJson for HistoryEntry {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("at", &self.at)
            .field("endpoint", &self.endpoint)
            .field("estimated", &self.estimated)
            .field("charged", &self.charged)
            .field("outcome", &self.outcome)
            .field("ok", &self.ok)
            .field("from_page", &self.from_page)
            .end();
    }
}

impl FromJson for HistoryEntry {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(HistoryEntry {
            at: field(o, "at")?,
            endpoint: field(o, "endpoint")?,
            estimated: field(o, "estimated")?,
            charged: field(o, "charged")?,
            outcome: field(o, "outcome")?,
            ok: field(o, "ok")?,
            from_page: or_default(o, "from_page")?,
        })
    }
}

/// How many history lines are kept per API and key.
pub const HISTORY_LEN: usize = 200;

impl HistoryEntry {
    /// A line for a request to `title` at `at`, not yet answered well (`ok` false, no outcome).
    pub fn new(
        at: UnixMillis,
        title: &str,
        estimated: Option<Credits>,
        charged: Credits,
    ) -> HistoryEntry {
        HistoryEntry {
            at,
            endpoint: title.into(),
            estimated: estimated.unwrap_or(Credits::ZERO),
            charged,
            outcome: String::new(),
            ok: false,
            from_page: false,
        }
    }
}

impl Widget {
    /// Adds `entry` to the history of `s`'s API and key (and shows it, if that is still the
    /// account on screen).
    pub(crate) async fn record(self, s: &Settings, entry: HistoryEntry) {
        let key = s.history_key();
        let showing = self
            .settings
            .try_with_untracked(|now| now.history_key() == key)
            .unwrap_or(false);
        let history = page_store()
            .update_json(&key, move |stored: Option<Vec<HistoryEntry>>| {
                let mut history = stored.unwrap_or_default();
                history.push(entry);
                let excess = history.len().saturating_sub(HISTORY_LEN);
                history.drain(..excess);
                history
            })
            .await;
        if showing {
            self.history.set(history);
        }
    }

    /// Forgets the history of this API and key (not the counts: those are the server's).
    pub fn clear_history(self) {
        let key = self.settings.get_untracked().history_key();
        page_store().remove(&key);
        self.history.set(Vec::new());
    }
}

/// The history as an indented JSON array, for the Export JSON button: written compactly (the
/// stored form's serialiser) and indented by the browser.
pub fn history_json(history: &[HistoryEntry]) -> String {
    crate::format::indented_json(&to_json(&history))
}

/// The history as CSV (RFC 4180 quoting).
///
/// The history is read back from storage, which any script of the page can write, and a
/// spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula: such a text
/// cell is opened with a `'`, which spreadsheets read as "this is text".
pub fn history_csv(history: &[HistoryEntry]) -> String {
    let quote = |s: &str| {
        let guard = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            "'"
        } else {
            ""
        };
        cat!['"', guard, s.replace('"', "\"\""), '"']
    };
    let mut out = String::from("time,endpoint,estimated,charged,outcome,asked_by\n");
    for h in history {
        out.push_str(&cat![
            format::instant(h.at),
            ',',
            quote(&h.endpoint),
            ',',
            h.estimated.text(),
            ',',
            h.charged.text(),
            ',',
            quote(&h.outcome),
            ',',
            if h.from_page { "page" } else { "widget" },
            '\n',
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, charged: i64) -> HistoryEntry {
        let c = Credits::from_whole(charged);
        HistoryEntry {
            outcome: "200 OK".into(),
            ok: true,
            ..HistoryEntry::new(UnixMillis(at), "Listings, \"latest\"", Some(c), c)
        }
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_as_formulas_are_text() {
        let mut hostile = entry(0, 3);
        hostile.endpoint = "=HYPERLINK(\"https://attacker.example\",\"x\")".into();
        hostile.outcome = "@SUM(1+1)".into();
        let mut more = entry(0, 3);
        more.endpoint = "+1".into();
        more.outcome = "-1".into();
        let csv = history_csv(&[hostile, more]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[1],
            "1970-01-01 00:00:00 UTC,\"'=HYPERLINK(\"\"https://attacker.example\"\",\"\"x\"\")\",3.000,3.000,\"'@SUM(1+1)\",widget"
        );
        assert_eq!(
            lines[2],
            "1970-01-01 00:00:00 UTC,\"'+1\",3.000,3.000,\"'-1\",widget"
        );
    }

    #[test]
    fn csv_quotes_text_fields() {
        let mut by_page = entry(0, 3);
        by_page.from_page = true;
        let csv = history_csv(&[entry(0, 3), by_page]);
        assert_eq!(
            csv,
            "time,endpoint,estimated,charged,outcome,asked_by\n\
             1970-01-01 00:00:00 UTC,\"Listings, \"\"latest\"\"\",3.000,3.000,\"200 OK\",widget\n\
             1970-01-01 00:00:00 UTC,\"Listings, \"\"latest\"\"\",3.000,3.000,\"200 OK\",page\n"
        );
    }

    #[test]
    fn an_entry_stored_before_the_page_could_ask_loads_as_the_widget_s() {
        let old = r#"[{"at":0,"endpoint":"Fiat map","estimated":1000,"charged":1000,"outcome":"200 OK","ok":true}]"#;
        let entries: Vec<HistoryEntry> = crate::store::parse_json(old).unwrap();
        assert!(!entries[0].from_page);
        assert_eq!(entries[0].endpoint, "Fiat map");
    }

    #[test]
    fn an_entry_is_read_and_written_as_serde_did() {
        use credit_gauge_core::from_json::checks;
        assert!(credit_gauge_core::to_json::checks::writes_alike(&entry(
            1_764_633_600_000,
            3
        )));
        let (checked, refused) = checks::single_edits_read_alike(&entry(1_764_633_600_000, 3));
        assert!(
            checked > 300 && refused > 100 && checked > refused,
            "{checked} {refused}"
        );
        let mut by_page = entry(0, 0);
        by_page.from_page = true;
        let entries = vec![by_page, entry(5, 1)];
        checks::single_edits_read_alike(&entries);
        assert!(credit_gauge_core::to_json::checks::writes_alike(&entries));
    }
}
