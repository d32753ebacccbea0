//! Plain-language explanations of everything a user can meet: HTTP statuses, CoinMarketCap's
//! 10xx codes, Cryptowatch's error bodies, client-side failures and the local decisions. Texts
//! only: which [`Code`] an outcome or decision is, is decided in [`crate::code`].
//!
//! Every text is a `&'static str` (no formatting in the core: the widget formats the instant in
//! [`Retry::At`] in the user's locale). Matches have no wildcard, so a new code cannot be added
//! without its explanation.

use serde::{Deserialize, Serialize};

use crate::catalog::ApiKind;
use crate::code::{CmcError, Code, CwError, HttpStatus, RefusedCode};
use crate::decide::WaitReason;
use crate::envelope::ClientFailure;
use crate::ledger::KeyProblem;
use crate::time::UnixMillis;

/// Whether and when retrying helps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retry {
    /// Retrying the same request will fail the same way: something must change first.
    No,
    /// Retrying may help right away or after a short pause.
    Soon,
    /// Retrying helps from this instant.
    At(UnixMillis),
    /// Retrying helps later, at an instant not known.
    Later,
}

/// A plain explanation of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// A short title.
    pub title: &'static str,
    /// One plain paragraph on what happened.
    pub explanation: &'static str,
    /// What the user can do.
    pub what_to_do: &'static str,
    /// Whether and when a retry helps.
    pub retry: Retry,
}

/// Which way a code's retry goes; the instant, when known, comes from the caller.
#[derive(Clone, Copy)]
enum When {
    Never,
    Soon,
    AtKnownInstant,
}

/// Explains `code`. `retry_at` is the instant a retry helps, where the caller knows it (the
/// decision's `at`, or the settlement's `retry_at`); codes that a wait cannot fix ignore it.
pub fn explain(code: Code, retry_at: Option<UnixMillis>) -> Explanation {
    let at = entry(code);
    let retry = match WHEN.get(at) {
        Some(When::Never) | None => Retry::No,
        Some(When::Soon) => Retry::Soon,
        Some(When::AtKnownInstant) => retry_at.map_or(Retry::Later, Retry::At),
    };
    Explanation {
        title: piece(3 * at),
        explanation: piece(3 * at + 1),
        what_to_do: piece(3 * at + 2),
        retry,
    }
}

/// Every code's words, from the list below: one `match` of the codes' patterns
/// with no wildcard numbers them (a new code cannot go unexplained), and the words are joined
/// into one text at compile time, read back by where each piece ends. Why: a `match` that
/// returns three strings per code compiles to code that sets six numbers per arm, several
/// times the size of a table of ends.
macro_rules! words {
    // One entry at a time: its arm, numbered, its three pieces and its kind of retry.
    (@munch [$($arms:tt)*] [$($pieces:tt)*] [$($whens:tt)*] ($n:expr);
        $code:pat => ($title:expr, $explanation:expr, $what:expr, $when:ident), $($rest:tt)*) => {
        words!(@munch [$($arms)* $code => $n,] [$($pieces)* $title, $explanation, $what,]
            [$($whens)* $when,] ($n + 1); $($rest)*);
    };
    (@munch [$($arms:tt)*] [$($pieces:tt)*] [$($whens:tt)*] ($n:expr);) => {
        /// Where `code`'s words are: its title is piece `3 × entry`, then its explanation and
        /// what to do.
        fn entry(code: Code) -> usize {
            match code {
                $($arms)*
            }
        }

        /// The pieces, three per code, in the order of [`entry`]: compile-time only.
        const PIECES: &[&str] = &[$($pieces)*];

        /// Each code's kind of retry, in the order of [`entry`].
        static WHEN: &[When] = {
            use When::*;
            &[$($whens)*]
        };
    };
    ($($entries:tt)*) => {
        words!(@munch [] [] [] (0); $($entries)*);
    };
}

/// The bytes of every piece, one after the other.
static JOINED: [u8; joined_len(PIECES)] = join(PIECES);

/// [`JOINED`] as text: whole strings joined, so valid UTF-8, which the compiler checks.
static TEXT: &str = match std::str::from_utf8(&JOINED) {
    Ok(text) => text,
    Err(_) => panic!("joined strings are UTF-8"),
};

/// Where each piece ends in [`TEXT`] (it starts where the one before ends).
static ENDS: [u16; PIECES.len()] = ends(PIECES);

/// Piece `k` of [`PIECES`], read from [`TEXT`].
fn piece(k: usize) -> &'static str {
    let start = match k.checked_sub(1) {
        Some(before) => ENDS.get(before).map_or(0, |&e| usize::from(e)),
        None => 0,
    };
    let end = ENDS.get(k).map_or(start, |&e| usize::from(e));
    TEXT.get(start..end).unwrap_or("")
}

const fn joined_len(pieces: &[&str]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < pieces.len() {
        len += pieces[i].len();
        i += 1;
    }
    // The ends are `u16`s.
    assert!(len <= u16::MAX as usize);
    len
}

const fn join<const LEN: usize>(pieces: &[&str]) -> [u8; LEN] {
    let mut out = [0; LEN];
    let mut at = 0;
    let mut i = 0;
    while i < pieces.len() {
        let bytes = pieces[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            out[at] = bytes[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

const fn ends<const N: usize>(pieces: &[&str]) -> [u16; N] {
    let mut out = [0; N];
    let mut end = 0;
    let mut i = 0;
    while i < N {
        end += pieces[i].len();
        out[i] = end as u16;
        i += 1;
    }
    out
}

// Each code's title, explanation, what to do and when a retry helps (`Never`, `Soon`, or
// `AtKnownInstant`: the caller's instant, when it has one).
words! {
    Code::Http(HttpStatus::BadRequest) => ("Bad request", "The server did not accept a parameter of this request.", "Check the parameters (values, ranges, spelling) and send it again.", Never),
    Code::Http(HttpStatus::Unauthorized) => ("Key missing or invalid", "The server did not recognise an API key on this request.", "Check that the key is entered correctly and sent with the request.", Never),
    Code::Http(HttpStatus::PaymentRequired) => ("Payment required", "The key's subscription needs payment or has expired.", "Renew or activate the plan in your account, then try again.", Never),
    Code::Http(HttpStatus::Forbidden) => ("Not allowed", "The key is not allowed to make this call: the plan does not include it, or the key is disabled.", "Use an endpoint your plan includes, or upgrade the plan.", Never),
    Code::Http(HttpStatus::NotFound) => ("Not found", "The server has nothing at this address: an unknown asset, exchange, pair or page.", "Check the names in the request (exchange, pair, asset) against the lists.", Never),
    Code::Http(HttpStatus::RequestTimeout) => ("Request timed out", "The server gave up waiting for the request.", "Try again in a moment; if it keeps happening, check the connection.", Soon),
    Code::Http(HttpStatus::TooManyRequests) => ("Too many requests", "A rate or credit limit was reached.", "Wait until the limit resets before sending more.", AtKnownInstant),
    Code::Http(HttpStatus::InternalServerError) => ("Server error", "The server failed while answering. It is not a problem with the request.", "Try again in a little while.", Soon),
    Code::Http(HttpStatus::BadGateway) => ("Bad gateway", "A proxy between you and the API got no valid answer from the API.", "Check that the proxy and the API are up, then try again.", Soon),
    Code::Http(HttpStatus::ServiceUnavailable) => ("Service unavailable", "The server is overloaded or down for maintenance.", "Try again in a little while.", Soon),
    Code::Http(HttpStatus::GatewayTimeout) => ("Gateway timeout", "A proxy between you and the API waited too long for the API.", "Try again in a little while.", Soon),
    Code::Http(HttpStatus::OtherClientError(_)) => ("Request rejected", "The server rejected the request.", "Check the request and the key, then try again.", Never),
    Code::Http(HttpStatus::OtherServerError(_)) => ("Server problem", "The server could not answer properly.", "Try again in a little while.", Soon),
    Code::Cmc(CmcError::ApiKeyInvalid) => ("Invalid API key", "CoinMarketCap does not know this API key.", "Copy the key again from your CoinMarketCap account and enter it here.", Never),
    Code::Cmc(CmcError::ApiKeyMissing) => ("API key missing", "The request reached CoinMarketCap without an API key.", "Enter your key; it must be sent in the X-CMC_PRO_API_KEY header.", Never),
    Code::Cmc(CmcError::PlanRequiresPayment) => ("Plan not activated", "The key's plan must be activated by a payment before it can be used.", "Activate the plan in your CoinMarketCap account.", Never),
    Code::Cmc(CmcError::PlanPaymentExpired) => ("Subscription expired", "The key's subscription plan has expired.", "Renew the subscription in your CoinMarketCap account.", Never),
    Code::Cmc(CmcError::ApiKeyRequired) => ("API key required", "This call needs an API key.", "Enter your CoinMarketCap key.", Never),
    Code::Cmc(CmcError::PlanNotAuthorized) => ("Not in your plan", "Your CoinMarketCap plan does not include this endpoint. The call cost no credits.", "Choose an endpoint your plan includes, or upgrade the plan.", Never),
    Code::Cmc(CmcError::ApiKeyDisabled) => ("Key disabled", "CoinMarketCap has disabled this key.", "Contact CoinMarketCap support or create a new key.", Never),
    Code::Cmc(CmcError::MinuteRateLimit) => ("Minute limit reached", "The key made as many requests this minute as its plan allows; every request counts, free ones and failed ones too.", "Wait for the next minute; the widget queues requests until then.", AtKnownInstant),
    Code::Cmc(CmcError::DailyRateLimit) => ("Daily credits used up", "The key has spent today's credits.", "Wait for the daily reset, or upgrade the plan.", AtKnownInstant),
    Code::Cmc(CmcError::MonthlyRateLimit) => ("Monthly credits used up", "The key has spent this month's credits.", "Wait for the monthly reset, or upgrade the plan.", AtKnownInstant),
    Code::Cmc(CmcError::IpRateLimit) => ("Too many requests from this address", "CoinMarketCap limits requests per IP address, and this address went over it.", "Slow down: the widget backs off, a little longer each time.", AtKnownInstant),
    Code::Cw(CwError::AssetNotFound) => ("Asset not found", "Cryptowatch does not know this asset. The call was still charged.", "Check the asset's symbol against the asset list.", Never),
    Code::Cw(CwError::ExchangeNotFound) => ("Exchange not found", "Cryptowatch does not know this exchange. The call was still charged.", "Check the exchange's name against the exchange list.", Never),
    Code::Cw(CwError::InstrumentNotFound) => ("Market not found", "This exchange has no market for this pair. The call was still charged.", "Check the pair against the exchange's markets.", Never),
    Code::Cw(CwError::PairNotFound) => ("Pair not found", "Cryptowatch does not know this pair. The call was still charged.", "Check the pair against the pair list.", Never),
    Code::Cw(CwError::UnknownSortParameter) => ("Unknown sort parameter", "keyBy accepts only id or symbols.", "Choose id or symbols.", Never),
    Code::Cw(CwError::OutOfAllowance) => ("Allowance spent", "The Cryptowatch allowance for this window is spent.", "Wait until the allowance resets; the widget checks cheaply each hour whether it came back earlier.", AtKnownInstant),
    Code::Cw(CwError::Other) => ("Cryptowatch error", "Cryptowatch answered with an error.", "Try again later; if it persists, check the request.", Soon),
    Code::Client { failure: ClientFailure::Network, api: ApiKind::CoinMarketCap } => ("No connection", "The request did not reach CoinMarketCap: the network or the server is down.", "Check the connection (and the proxy, if you use one), then try again.", Soon),
    Code::Client { failure: ClientFailure::Network, api: ApiKind::Cryptowatch } => ("No connection", "The request did not reach Cryptowatch. The public Cryptowatch API shut down in 2023; only an emulator serves it now.", "Point the widget at a running emulator.", Never),
    Code::Client { failure: ClientFailure::CorsRefused, api: ApiKind::CoinMarketCap } => ("CoinMarketCap refuses calls from a browser: use a gateway", "CoinMarketCap blocks requests from web pages on purpose, so keys are not exposed to visitors.", "Send requests through credit-gauge-gateway (or the emulator), which adds the key on the server side.", Never),
    Code::Client { failure: ClientFailure::CorsRefused, api: ApiKind::Cryptowatch } => ("Blocked by the browser", "The server did not allow this page to read its answer (CORS).", "Use the emulator or a proxy that allows this page's origin.", Never),
    Code::Client { failure: ClientFailure::Timeout, api: _ } => ("No answer in time", "The server did not answer in time; the request may still have been counted.", "Try again in a moment.", Soon),
    Code::Client { failure: ClientFailure::NotJson, api: _ } => ("Unreadable answer", "The answer was not JSON — often an error page from a proxy, or a cut-off body.", "Try again; if it persists, check the proxy or the base address.", Soon),
    Code::Client { failure: ClientFailure::TooLarge, api: _ } => ("Answer too large", "The answer was larger than the widget reads (32 MiB), so it was not read to its end; the server may still have charged for it.", "Ask for less (a smaller limit, fewer currencies), or check the base address.", Never),
    Code::Client { failure: ClientFailure::Withdrawn, api: _ } => ("Withdrawn after sending", "The page withdrew the request after it had left; the server may have counted and charged it, so it is booked at its estimate.", "Nothing: send it again when the answer is needed.", Never),
    Code::Client { failure: ClientFailure::Unsendable, api: _ } => ("Key cannot be sent", "The key holds characters a request header cannot carry (a line break, a space inside it or a character outside Latin-1, often from copying it), so the browser sent nothing and nothing was charged.", "Paste the key again as the API's dashboard shows it.", Never),
    Code::Client { failure: ClientFailure::WrongShape, api: _ } => ("Unexpected answer", "The answer was JSON but not in the shape this API uses; the address may point at another service.", "Check the base address in the settings.", Never),
    Code::Wait(WaitReason::MinuteFull) => ("Waiting for the next minute", "This minute's requests are used; sending now would be refused.", "Nothing: the request goes at the start of the next minute.", AtKnownInstant),
    Code::Wait(WaitReason::DailyCreditsSpent) => ("Waiting for the daily reset", "Today's credits would not cover this request.", "Wait for the reset, make the request smaller, or upgrade the plan.", AtKnownInstant),
    Code::Wait(WaitReason::MonthlyCreditsSpent) => ("Waiting for the monthly reset", "This month's credits would not cover this request.", "Wait for the reset, make the request smaller, or upgrade the plan.", AtKnownInstant),
    Code::Wait(WaitReason::IpBackoff) => ("Backing off", "CoinMarketCap's IP limit was hit; the widget pauses before trying again.", "Nothing: the request goes when the pause ends.", AtKnownInstant),
    Code::Wait(WaitReason::AllowanceSpent) => ("Waiting for the allowance", "The Cryptowatch allowance left in this window would not cover this request.", "Wait for the window to end, or choose a cheaper request.", AtKnownInstant),
    Code::Wait(WaitReason::LockHeld) => ("Waiting for the other tabs", "Another script on this site holds the lock that keeps tabs from spending the same credits; sending without it could overspend.", "Nothing if it is brief. If it lasts, close other tabs of this site or reload the page.", AtKnownInstant),
    Code::Wait(WaitReason::InteractiveFirst) => ("Letting interactive requests go first", "This is a background request; requests someone is waiting for take the budget before it.", "Nothing: it goes once they have gone.", Soon),
    Code::Wait(WaitReason::ProbeAtTopOfHour) => ("Checking again on the hour", "The allowance is spent; a cheap check at the top of each hour finds out whether it came back early.", "Nothing: the check runs by itself.", AtKnownInstant),
    Code::Refused(RefusedCode::InvalidParams) => ("Invalid parameters", "A parameter is missing, out of range or not one of the accepted values.", "Correct the highlighted parameter.", Never),
    Code::Refused(RefusedCode::WrongApi) => ("Wrong API", "This request belongs to the other API.", "Send it with that API's settings.", Never),
    Code::Refused(RefusedCode::NotInPlan) => ("Not in your plan", "The plan does not include this endpoint; the server would refuse it and still count the request.", "Choose an endpoint your plan includes, or upgrade the plan.", Never),
    Code::Refused(RefusedCode::TooManyConverts) => ("Too many currencies", "The plan allows fewer convert currencies per request.", "Ask for fewer currencies, or split the request.", Never),
    Code::Refused(RefusedCode::CostAboveLimit) => ("Too big for the plan", "This request costs more than the whole limit; it could never go.", "Ask for fewer items.", Never),
    Code::Refused(RefusedCode::CountsUnreadable) => ("Stored counts unreadable", "The counts stored on this device could not be read: a newer version of credit-gauge or another script wrote them. Sending without them could overspend, and writing over them could lose another tab's counts.", "Open the page that uses the newer credit-gauge, or press \"Reset counts and sync\" to start again from the server's counts.", Never),
    Code::Refused(RefusedCode::NotSynced) => ("Counts not synced", "The stored counts were reset, so the widget does not know what the server has already counted; sending now could overspend.", "Press Sync: it asks the server for its counts (free on CoinMarketCap, the cheapest call on Cryptowatch), then requests go again.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::Invalid)) => ("Invalid API key", "The server said this key is invalid.", "Enter a valid key.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::Missing)) => ("API key missing", "The server received no key.", "Enter your key.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::PaymentRequired)) => ("Plan not activated", "The key's plan needs payment.", "Activate the plan in your account.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::Expired)) => ("Subscription expired", "The key's subscription has expired.", "Renew the subscription.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::KeyRequired)) => ("API key required", "This call needs a key.", "Enter your key.", Never),
    Code::Refused(RefusedCode::KeyRejected(KeyProblem::Disabled)) => ("Key disabled", "The key has been disabled.", "Contact support or create a new key.", Never),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_reads_back_whole_from_the_joined_text() {
        assert_eq!(PIECES.len(), 3 * WHEN.len());
        for (k, expected) in PIECES.iter().enumerate() {
            assert!(!expected.is_empty(), "piece {k} is empty");
            assert_eq!(piece(k), *expected, "piece {k}");
        }
        assert_eq!(piece(PIECES.len()), "", "past the end: nothing");
    }

    #[test]
    fn every_listed_http_status_has_a_specific_explanation() {
        for code in [400u16, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504] {
            let s = HttpStatus::from_code(code).unwrap();
            assert!(
                !matches!(
                    s,
                    HttpStatus::OtherClientError(_) | HttpStatus::OtherServerError(_)
                ),
                "{code}"
            );
            let e = explain(Code::Http(s), None);
            assert!(!e.title.is_empty() && !e.explanation.is_empty() && !e.what_to_do.is_empty());
        }
        assert_eq!(HttpStatus::from_code(204), None);
        assert_eq!(
            HttpStatus::from_code(418),
            Some(HttpStatus::OtherClientError(418))
        );
    }

    #[test]
    fn rate_limits_carry_the_exact_retry_instant() {
        let at = UnixMillis(1_700_000_040_000);
        assert_eq!(
            explain(Code::Cmc(CmcError::MinuteRateLimit), Some(at)).retry,
            Retry::At(at)
        );
        assert_eq!(
            explain(Code::Cmc(CmcError::MonthlyRateLimit), None).retry,
            Retry::Later
        );
        assert_eq!(
            explain(Code::Cmc(CmcError::ApiKeyInvalid), Some(at)).retry,
            Retry::No
        );
    }

    #[test]
    fn cors_on_coinmarketcap_says_use_a_gateway() {
        let e = explain(
            Code::Client {
                api: ApiKind::CoinMarketCap,
                failure: ClientFailure::CorsRefused,
            },
            None,
        );
        assert_eq!(
            e.title,
            "CoinMarketCap refuses calls from a browser: use a gateway"
        );
        assert_eq!(e.retry, Retry::No);
    }
}
