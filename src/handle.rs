//! The gauge for Rust: a Leptos app that depends on this crate sends its own requests through
//! a [`CreditGauge`], the same one way the widget's own requests and the host page's `fetch`
//! go — previewed, queued while a limit says wait, counted, reconciled, shown — on one budget
//! with every widget and tab of the origin. `CreditGauge::view` needs the `leptos` feature (on
//! by default); without it, a gauge belongs to the current owner of the widget's own cells
//! (`crate::reactive`), and one made outside any owner lives as long as the page.
//!
//! ```ignore
//! use credit_gauge::handle::{CreditGauge, Terms};
//! use credit_gauge::embed::EmbedOptions;
//! use credit_gauge_core::ApiKind;
//!
//! #[component]
//! fn Board() -> impl IntoView {
//!     let gauge = CreditGauge::new(&EmbedOptions {
//!         api: Some(ApiKind::CoinMarketCap),
//!         base_url: Some("/cmc".into()),
//!         compact: true,
//!         ..EmbedOptions::default()
//!     });
//!     let load = move |_| {
//!         leptos::task::spawn_local(async move {
//!             let request = gauge
//!                 .request("/v1/cryptocurrency/listings/latest", &[("limit", "10")])
//!                 .expect("a request the catalog can cost");
//!             match gauge.fetch(request, Terms::default()).await {
//!                 Ok(reply) if reply.ok => { /* reply.data() */ }
//!                 Ok(reply) => { /* reply.explanation: what happened, what to do */ }
//!                 Err(refusal) => { /* never sent, withdrawn, or too late: refusal.to_string() */ }
//!             }
//!         });
//!     };
//!     view! { {gauge.view()} <button on:click=load>"Load"</button> }
//! }
//! ```
//!
//! `examples/leptos_board.rs` is a whole app built this way.

use std::fmt;

use credit_gauge_core::cat;
use credit_gauge_core::{estimate, ApiKind, Credits, Explanation, Request, UnixMillis};

use crate::reactive::Owner;

use crate::answer::Answer;
use crate::embed::{embedded_widget, parse_params_strictly, EmbedOptions};
use crate::pipeline::Ended;
pub use crate::pipeline::Terms;
pub use crate::queue::Priority;
use crate::widget::Widget;

/// A gauge a Rust app sends its requests through. `Copy`: hand it to every closure that needs
/// it. It lives as long as the reactive owner it was made in (the component).
#[derive(Clone, Copy)]
pub struct CreditGauge {
    widget: Widget,
    /// How `view` shows it, and where its views are made (disposed of with the component that
    /// made the gauge): only `view`, with the `leptos` feature, reads them.
    #[cfg_attr(not(feature = "leptos"), allow(dead_code))]
    compact: bool,
    #[cfg_attr(not(feature = "leptos"), allow(dead_code))]
    owner: Option<Owner>,
}

/// The answer to a request sent through the gauge.
#[derive(Clone, Debug, PartialEq)]
pub struct GaugeReply {
    /// Whether the API answered with success.
    pub ok: bool,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The answer as it came, when one arrived.
    pub body: Option<String>,
    /// What was booked for it: the server's own figure when it gave one, else the estimate
    /// (or nothing, for answers the API does not charge).
    pub charged: Credits,
    /// What it was estimated to cost before it went.
    pub estimated: Option<Credits>,
    /// Whether `charged` is the server's figure.
    pub from_server: bool,
    /// What went wrong and what to do, when not `ok`.
    pub explanation: Option<Explanation>,
    api: ApiKind,
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The catalog cannot cost it (an unknown path, a bad or unknown parameter, the other
    /// API's endpoint): it was never sent. The text names the problem.
    Uncostable(String),
    /// The caller's signal withdrew it: before it went (its budget given back), or on the way
    /// (then counted as the server may have charged it).
    Withdrawn,
    /// A limit would have kept it waiting past `max_wait_ms`; it could go at this instant.
    TooLate(UnixMillis),
    /// The gauge was taken off the page.
    Gone,
}

impl Refusal {
    /// The refusal as the page and the app read it: "credit-gauge: …".
    pub fn text(&self) -> String {
        match self {
            Refusal::Uncostable(why) => cat!["credit-gauge: ", why, ", so it was not sent"],
            Refusal::Withdrawn => "credit-gauge: the request was withdrawn".to_string(),
            Refusal::TooLate(at) => cat![
                "credit-gauge: a limit keeps this request waiting until ",
                crate::format::instant(*at),
                ", longer than maxWait, so it was not sent",
            ],
            Refusal::Gone => "credit-gauge: this widget was unmounted".to_string(),
        }
    }
}

impl fmt::Display for Refusal {
    /// [`Refusal::text`], for apps that print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for Refusal {}

impl GaugeReply {
    fn from_answer(api: ApiKind, answer: &Answer) -> GaugeReply {
        let settlement = answer.settlement.as_ref();
        GaugeReply {
            ok: answer.explanation.is_none(),
            status: answer.status,
            body: answer.body.clone(),
            charged: settlement.map_or(Credits::ZERO, |s| s.charged),
            estimated: answer.estimated,
            from_server: settlement.is_some_and(|s| s.from_server),
            explanation: answer.explanation,
            api,
        }
    }

    /// The field of the envelope that carries the payload: CoinMarketCap's `data`,
    /// Cryptowatch's `result`.
    pub fn payload_field(&self) -> &'static str {
        match self.api {
            ApiKind::CoinMarketCap => "data",
            ApiKind::Cryptowatch => "result",
        }
    }

    /// The payload (`data` or `result`), when the answer was JSON and had one.
    pub fn data(&self) -> Option<serde_json::Value> {
        let mut root: serde_json::Value = serde_json::from_str(self.body.as_deref()?).ok()?;
        root.get_mut(self.payload_field())
            .map(serde_json::Value::take)
    }

    /// The payload read as `T`.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.data()?).ok()
    }
}

/// `request` if the catalog can cost it for `api`; else why not.
pub fn checked(api: ApiKind, request: Request) -> Result<Request, Refusal> {
    if request.api() != api {
        return Err(Refusal::Uncostable(cat![
            request.endpoint.spec().path,
            " belongs to ",
            crate::presentation::api_name(request.api()),
            ", and this gauge counts ",
            crate::presentation::api_name(api),
        ]));
    }
    request
        .validate()
        .map_err(|e| Refusal::Uncostable(e.text()))?;
    estimate(&request)
        .map(|_| request)
        .map_err(|e| Refusal::Uncostable(e.text()))
}

/// The request for `path` (an API path, optionally with a query) and extra `params`, checked
/// against the catalog for `api`.
pub fn request_for(
    api: ApiKind,
    path: &str,
    params: impl IntoIterator<Item = (String, String)>,
) -> Result<Request, Refusal> {
    let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
    let mut request = Request::from_path(api, path_only).ok_or_else(|| {
        let shown: String = path_only.chars().take(120).collect();
        Refusal::Uncostable(cat![
            shown,
            " is not a ",
            crate::presentation::api_name(api),
            " endpoint the widget knows",
        ])
    })?;
    let query = parse_params_strictly(query).map_err(Refusal::Uncostable)?;
    for (name, value) in query.into_iter().chain(params) {
        request = request.with(&name, &value);
    }
    checked(api, request)
}

impl CreditGauge {
    /// A gauge with `options` (the API, base URL, key, plan, compact; see [`EmbedOptions`]).
    /// It lives as long as the current Leptos owner (make it in a component), or, without the
    /// `leptos` feature, as the current owner of the widget's own cells (`crate::reactive`).
    pub fn new(options: &EmbedOptions) -> CreditGauge {
        // The widget's cells are credit-gauge's own, in an owner disposed of with the
        // component's.
        let owner = Owner::new();
        #[cfg(feature = "leptos")]
        leptos::prelude::on_cleanup(move || owner.dispose());
        CreditGauge {
            widget: owner.with(|| embedded_widget(options)),
            compact: options.compact,
            owner: Some(owner),
        }
    }

    /// The gauge over an existing widget (a mounted one's, for the page's `fetch`).
    pub(crate) fn over(widget: Widget) -> CreditGauge {
        CreditGauge {
            widget,
            compact: true,
            owner: None,
        }
    }

    /// The API this gauge counts, while it lives.
    pub fn api(self) -> Option<ApiKind> {
        self.widget.settings.try_with_untracked(|s| s.api)
    }

    /// The widget's view: the gauges (compact) or the whole widget, in a `<div
    /// class="cg-holder">` laid out as its contents (the widget builds its own DOM, which the
    /// holder takes in once it is on the page). It goes with the calling view's owner.
    #[cfg(feature = "leptos")]
    pub fn view(self) -> impl leptos::prelude::IntoView {
        let options = EmbedOptions {
            compact: self.compact,
            ..EmbedOptions::default()
        };
        // Its own owner, within the gauge's: it goes with the calling view or with the gauge.
        let owner = match self.owner {
            Some(gauge) => gauge.with(Owner::new),
            None => Owner::new(),
        };
        leptos::prelude::on_cleanup(move || owner.dispose());
        let element = owner.with(|| crate::embed::embedded_view(self.widget, &options));
        holder(element)
    }

    /// The request for `path` (`/v1/cryptocurrency/listings/latest`, optionally with a query)
    /// with `params`, checked against the catalog.
    pub fn request(self, path: &str, params: &[(&str, &str)]) -> Result<Request, Refusal> {
        let api = self.api().ok_or(Refusal::Gone)?;
        let params = params.iter().map(|(n, v)| (n.to_string(), v.to_string()));
        request_for(api, path, params)
    }

    /// Sends `request` through the gauge on `terms` and waits for its answer: as soon as every
    /// limit allows it, never into a limit the gauge knows of.
    pub async fn fetch(self, request: Request, terms: Terms) -> Result<GaugeReply, Refusal> {
        let api = self.api().ok_or(Refusal::Gone)?;
        let request = checked(api, request)?;
        let withdrawn = terms.abort.clone();
        match self.widget.fetch(request, terms).await {
            Ended::Answered(answer) => Ok(GaugeReply::from_answer(api, &answer)),
            Ended::TooLate(at) => Err(Refusal::TooLate(at)),
            Ended::Cancelled if withdrawn.is_some_and(|s| s.aborted()) => Err(Refusal::Withdrawn),
            Ended::Cancelled => Err(Refusal::Gone),
        }
    }
}

/// A Leptos `<div class="cg-holder">`, laid out as its contents, that takes in `element` once
/// it is on the page.
#[cfg(feature = "leptos")]
fn holder(element: web_sys::Element) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;

    let holder = NodeRef::<leptos::html::Div>::new();
    holder.on_load(move |div| {
        let _ = div.append_child(&element);
    });
    view! { <div class="cg-holder" style="display: contents" node_ref=holder></div> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::EndpointId;

    #[test]
    fn a_request_is_checked_against_the_catalog_before_anything_is_sent() {
        let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
        let listings = request_for(
            ApiKind::CoinMarketCap,
            "/v1/cryptocurrency/listings/latest",
            vec![pair("limit", "10")],
        )
        .unwrap();
        assert_eq!(listings.endpoint, EndpointId::CmcListingsLatest);
        assert_eq!(listings.param("limit"), Some("10"));

        let unknown = request_for(ApiKind::CoinMarketCap, "/v1/nothing", vec![])
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("/v1/nothing is not a CoinMarketCap endpoint"),
            "{unknown}"
        );
        let bad = request_for(
            ApiKind::CoinMarketCap,
            "/v1/cryptocurrency/listings/latest",
            vec![pair("limit", "0")],
        )
        .unwrap_err()
        .to_string();
        assert!(bad.contains("`limit`"), "{bad}");
        let unknown_param = request_for(
            ApiKind::CoinMarketCap,
            "/v1/fiat/map",
            vec![pair("api_key", "x")],
        )
        .unwrap_err()
        .to_string();
        assert!(
            unknown_param.contains("unknown parameter `api_key`"),
            "{unknown_param}"
        );
    }

    #[test]
    fn another_api_s_endpoint_is_refused_with_its_name() {
        let price = Request::new(EndpointId::CwPrice)
            .with("exchange", "kraken")
            .with("pair", "btcusd");
        let refused = checked(ApiKind::CoinMarketCap, price)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("belongs to Cryptowatch, and this gauge counts CoinMarketCap"),
            "{refused}"
        );
        assert!(refused.ends_with("so it was not sent"), "{refused}");
    }

    #[test]
    fn the_payload_is_the_envelope_s_data_or_result() {
        let reply = |api, body: &str| GaugeReply {
            ok: true,
            status: Some(200),
            body: Some(body.into()),
            charged: Credits::ZERO,
            estimated: None,
            from_server: false,
            explanation: None,
            api,
        };
        let cmc = reply(ApiKind::CoinMarketCap, r#"{"status":{},"data":[1,2]}"#);
        assert_eq!(cmc.data_as::<Vec<u8>>(), Some(vec![1, 2]));
        let cw = reply(
            ApiKind::Cryptowatch,
            r#"{"result":{"price":3},"allowance":{}}"#,
        );
        assert_eq!(cw.data(), Some(serde_json::json!({"price": 3})));
        assert_eq!(reply(ApiKind::Cryptowatch, "<html>").data(), None);
        assert_eq!(reply(ApiKind::Cryptowatch, r#"{"error":"x"}"#).data(), None);
    }
}
