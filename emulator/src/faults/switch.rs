//! The server-wide fault switch (`/_emulator/faults`): what it faults, for how long, where.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_list, Fault};

/// The server-wide switch, as posted to `/_emulator/faults`.
#[derive(Clone, Debug, Deserialize)]
pub struct SwitchRequest {
    pub fault: String,
    /// How many matching requests to fault; absent = until cleared.
    pub count: Option<u32>,
    /// Only requests whose path starts with this (e.g. `/cmc/v1/key/info`); absent = all API paths.
    pub path_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Switch {
    pub faults: Vec<Fault>,
    pub remaining: Option<u32>,
    pub path_prefix: Option<String>,
}

impl Switch {
    pub fn from_request(r: SwitchRequest) -> Result<Switch, String> {
        let faults = parse_list(&r.fault)?;
        if faults.is_empty() {
            return Err("no fault named".into());
        }
        Ok(Switch {
            faults,
            remaining: r.count,
            path_prefix: r.path_prefix,
        })
    }

    pub fn describe(&self) -> Value {
        json!({
            "fault": self.faults.iter().map(Fault::name).collect::<Vec<_>>().join(","),
            "count": self.remaining,
            "path_prefix": self.path_prefix,
        })
    }

    /// Takes the faults for a request on `path`, if this switch applies, counting it down.
    pub fn take(&mut self, path: &str) -> Option<Vec<Fault>> {
        if self.remaining == Some(0) {
            return None;
        }
        if let Some(prefix) = &self.path_prefix {
            if !path.starts_with(prefix.as_str()) {
                return None;
            }
        }
        if let Some(n) = self.remaining.as_mut() {
            *n -= 1;
        }
        Some(self.faults.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_switch_runs_out() {
        let mut s = Switch {
            faults: vec![Fault::Status500],
            remaining: Some(1),
            path_prefix: Some("/cmc".into()),
        };
        assert!(s.take("/cryptowatch/assets").is_none());
        assert!(s.take("/cmc/v1/key/info").is_some());
        assert!(s.take("/cmc/v1/key/info").is_none());
    }
}
