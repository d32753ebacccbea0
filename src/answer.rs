//! What a request's journey ends in, for everyone who should know: the answer view, the host
//! page (its events), and the history.

use credit_gauge_core::{explain, Credits, EndpointId, Explanation, Outcome, Request, Settlement};

use crate::client::Reply;
use crate::events::AnswerEvent;
use crate::history::HistoryEntry;
use crate::pipeline::Asker;
use crate::presentation;
use crate::settings::Settings;
use crate::widget::{now, Widget};

/// What the last answer was, for the response view.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub title: &'static str,
    pub endpoint: EndpointId,
    pub estimated: Option<Credits>,
    pub settlement: Option<Settlement>,
    pub status: Option<u16>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub explanation: Option<Explanation>,
    pub body: Option<String>,
    /// CoinMarketCap's `status.credit_count`, as the core read it.
    pub credit_count: Option<i64>,
    /// For a sync: how much the server corrected the local count.
    pub sync_note: Option<String>,
}

/// A request that went: what it was estimated at, what was booked, what came back.
pub(crate) struct Sent {
    pub estimated: Option<Credits>,
    pub settlement: Settlement,
    pub reply: Reply,
}

impl Answer {
    /// The answer to a request with nothing known yet but what was asked and its estimate.
    fn new(title: &'static str, endpoint: EndpointId, estimated: Option<Credits>) -> Answer {
        Answer {
            title,
            endpoint,
            estimated,
            settlement: None,
            status: None,
            error_code: None,
            error_message: None,
            explanation: None,
            body: None,
            credit_count: None,
            sync_note: None,
        }
    }
}

impl Widget {
    /// Shows why a request can never go as it is (the explanation, and which parameter when
    /// a parameter is the problem), and records it in the history as refused.
    pub(crate) async fn show_refusal(
        self,
        s: &Settings,
        request: &Request,
        estimated: Option<Credits>,
        explanation: Option<Explanation>,
        detail: Option<String>,
        asker: Asker,
    ) -> Answer {
        let title = request.endpoint.spec().title;
        let answer = Answer {
            error_message: detail,
            explanation,
            ..Answer::new(title, request.endpoint, estimated)
        };
        self.answer.set(Some(answer.clone()));
        let entry = HistoryEntry {
            outcome: "refused".into(),
            from_page: asker == Asker::Page,
            ..HistoryEntry::new(now(), title, estimated, Credits::ZERO)
        };
        self.record(s, entry).await;
        answer
    }

    /// Shows the answer, tells the host page, and records it in the history.
    pub(crate) async fn show_answer(
        self,
        s: &Settings,
        request: &Request,
        sent: Sent,
        sync_note: Option<String>,
        asker: Asker,
    ) -> Answer {
        let Sent {
            estimated,
            settlement,
            reply,
        } = sent;
        let spec = request.endpoint.spec();
        let explanation = settlement.code.map(|c| explain(c, settlement.retry_at));
        let credit_count = match &reply.outcome {
            Outcome::Cmc(a) => a.credit_count,
            _ => None,
        };
        let (error_code, error_message) = match &reply.outcome {
            Outcome::Cmc(a) => (a.error_code.filter(|c| *c != 0), a.error_message.clone()),
            Outcome::Cw(a) => (None, a.error.clone()),
            Outcome::Failed { failure, .. } => (None, Some(failure.text().to_string())),
        };
        self.announce_answer(AnswerEvent {
            path: spec.path,
            estimated,
            settlement: &settlement,
            status: reply.status,
            error_code,
            error_message: error_message.as_deref(),
            explanation: explanation.as_ref(),
        });
        let label = presentation::outcome_label(explanation.as_ref(), reply.status);
        let answer = Answer {
            settlement: Some(settlement),
            status: reply.status,
            error_code,
            error_message,
            explanation,
            body: reply.body,
            credit_count,
            sync_note,
            ..Answer::new(spec.title, request.endpoint, estimated)
        };
        self.answer.set(Some(answer.clone()));
        let entry = HistoryEntry {
            outcome: label,
            ok: settlement.code.is_none(),
            from_page: asker == Asker::Page,
            ..HistoryEntry::new(now(), spec.title, estimated, settlement.charged)
        };
        self.record(s, entry).await;
        answer
    }
}
