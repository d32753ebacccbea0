//! The limits state of each API account, and the reservations of requests in flight.
//!
//! One [`Account`] per API and key. Each limit keeps its window as explicit instants (`start`,
//! `end`) so that it can be stored, reloaded and compared with the servers' reset timestamps.
//!
//! Clock safety, in two rules:
//! - a window only ends when `now` reaches its `end`; an instant before its `start` (the clock went
//!   backwards) counts as inside the window, so spent budget stays spent;
//! - [`advance`] pulls the `end` of such a window back to at most one period after `now`. Whatever
//!   was counted happened at a real instant no later than the real now, so the server's window has
//!   ended by then too — and a clock that jumped forwards and back cannot lock anyone out for
//!   longer than one period.

use serde::{Deserialize, Serialize};

use crate::catalog::{ApiKind, CmcPlan, EndpointId, CW_ANONYMOUS_ALLOWANCE, CW_KEYED_ALLOWANCE};
use crate::credits::Credits;
use crate::time::{UnixMillis, DAY_MS, MINUTE_MS};

/// How long a request may stay in flight before its reservation is settled as if it had been
/// charged its estimate: an answer that never came (tab closed, connection dropped) may still have
/// been charged by the server, so the conservative guess is "charged".
pub const RESERVATION_TIMEOUT_MS: i64 = 2 * MINUTE_MS;

/// The longest monthly window we assume when the billing anchor is unknown: no month is longer.
pub const LONGEST_MONTH_MS: i64 = 31 * DAY_MS;

/// A stretch of time `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First instant inside.
    pub start: UnixMillis,
    /// First instant after.
    pub end: UnixMillis,
}

impl Span {
    /// Whether the span still holds at `now`: an instant before `start` counts as inside (see the
    /// module documentation).
    pub fn holds_at(&self, now: UnixMillis) -> bool {
        now < self.end
    }

    /// After a backwards clock jump, pull the span back so it ends at most `longest` after `now`.
    fn clamp_backwards(&mut self, now: UnixMillis, longest: i64) {
        if now < self.start {
            self.start = now;
            self.end = self.end.min(now.plus(longest));
        }
    }
}

/// How a credit window's resets are placed in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// On the UTC calendar: midnight, the 1st of the month (CoinMarketCap's free plan).
    Calendar,
    /// On a billing anchor learnt from key/info: the given reset instant, repeated every period.
    Anchored(UnixMillis),
    /// Anchor unknown (paid plan before key/info): a window opens at the first charge and is
    /// assumed to last a full period — the latest the server's own window can end.
    FromFirstUse,
}

/// The length of a credit window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    /// A day.
    Day,
    /// A month.
    Month,
}

impl Period {
    /// Both periods, for readers that go by name (`from_json`).
    pub const ALL: [Period; 2] = [Period::Day, Period::Month];

    /// The variant's name, as stored accounts write it (serde's name for it).
    pub const fn name(self) -> &'static str {
        match self {
            Period::Day => "Day",
            Period::Month => "Month",
        }
    }

    /// An upper bound of the period's length in milliseconds.
    pub const fn longest_ms(self) -> i64 {
        match self {
            Period::Day => DAY_MS,
            Period::Month => LONGEST_MONTH_MS,
        }
    }
}

/// The window of `schedule` that contains `now`.
pub fn window_at(schedule: Schedule, period: Period, now: UnixMillis) -> Span {
    match (schedule, period) {
        (Schedule::Calendar, Period::Day) => Span {
            start: now.day_start(),
            end: now.next_utc_midnight(),
        },
        (Schedule::Calendar, Period::Month) => Span {
            start: now.month_start(),
            end: now.first_of_next_month(),
        },
        (Schedule::Anchored(anchor), Period::Day) => {
            let k = (now.0.saturating_sub(anchor.0)).div_euclid(DAY_MS);
            let start = anchor.plus(k.saturating_mul(DAY_MS));
            Span {
                start,
                end: start.plus(DAY_MS),
            }
        }
        (Schedule::Anchored(anchor), Period::Month) => {
            let (a, n) = (anchor.to_civil(), now.to_civil());
            let mut k = (n.year - a.year) * 12 + i64::from(n.month) - i64::from(a.month);
            // The civil month difference is off by at most one either way.
            if anchor.add_months(k) > now {
                k -= 1;
            } else if anchor.add_months(k + 1) <= now {
                k += 1;
            }
            Span {
                start: anchor.add_months(k),
                end: anchor.add_months(k + 1),
            }
        }
        (Schedule::FromFirstUse, p) => Span {
            start: now,
            end: now.plus(p.longest_ms()),
        },
    }
}

/// A credit cap (daily or monthly) and its current window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLimit {
    /// The cap; `None` when it is not enforced (a daily cap key/info does not report).
    pub limit: Option<Credits>,
    /// The window's length.
    pub period: Period,
    /// Where resets fall.
    pub schedule: Schedule,
    /// The current window, from the first charge in it.
    pub window: Option<Span>,
    /// Credits charged in the current window.
    pub used: Credits,
    /// The server answered "cap reached" (1009/1010): closed until this instant.
    pub closed_until: Option<UnixMillis>,
}

impl CreditLimit {
    fn new(limit: Option<Credits>, period: Period, schedule: Schedule) -> CreditLimit {
        CreditLimit {
            limit,
            period,
            schedule,
            window: None,
            used: Credits::ZERO,
            closed_until: None,
        }
    }

    /// Credits used in the window that holds at `now` (zero once it has ended).
    pub fn used_at(&self, now: UnixMillis) -> Credits {
        match self.window {
            Some(w) if w.holds_at(now) => self.used,
            _ => Credits::ZERO,
        }
    }

    /// When the window holding at `now` ends — the instant budget comes back.
    pub fn resets_at(&self, now: UnixMillis) -> UnixMillis {
        match self.window {
            Some(w) if w.holds_at(now) => w.end,
            _ => window_at(self.schedule, self.period, now).end,
        }
    }

    /// Whether the server closed this limit and the closure still holds.
    pub fn is_closed_at(&self, now: UnixMillis) -> bool {
        self.closed_until.is_some_and(|t| now < t)
    }

    /// Adds a charge at `now`, opening a window if none holds.
    pub(crate) fn charge(&mut self, amount: Credits, now: UnixMillis) {
        if !self.window.is_some_and(|w| w.holds_at(now)) {
            self.window = Some(window_at(self.schedule, self.period, now));
            self.used = Credits::ZERO;
        }
        self.used += amount;
    }

    /// Replaces the used amount with the server's figure, in the window holding at `now`.
    pub(crate) fn set_used(&mut self, used: Credits, now: UnixMillis) {
        if !self.window.is_some_and(|w| w.holds_at(now)) {
            self.window = Some(window_at(self.schedule, self.period, now));
        }
        self.used = used.max(Credits::ZERO);
    }

    fn advance(&mut self, now: UnixMillis) {
        let longest = self.period.longest_ms();
        if let Some(w) = &mut self.window {
            w.clamp_backwards(now, longest);
            if !w.holds_at(now) {
                self.window = None;
                self.used = Credits::ZERO;
            }
        }
        if let Some(t) = self.closed_until {
            if now >= t {
                self.closed_until = None;
            } else {
                self.closed_until = Some(t.min(now.plus(longest)));
            }
        }
    }
}

/// How far a request's arrival at the server may be from the instant we count it (network
/// latency and the two clocks' difference). A request counted within this distance of a minute's
/// edge may land in the neighbouring minute on the server, so it is counted in both.
///
/// The reference does not say how exact CoinMarketCap's minute is; one second is a conservative
/// guess that costs at most the requests sent in the last second of a busy minute.
pub const MINUTE_EDGE_MS: i64 = 1_000;

/// CoinMarketCap's per-minute request window.
///
/// The server counts a request in the UTC minute it *receives* it, which we only know to within
/// [`MINUTE_EDGE_MS`]. So the window keeps three counts: the previous minute, the current one, and
/// the next one (requests sent in the current minute's last second), and a request may only go
/// when every minute it could land in has room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteWindow {
    /// Requests allowed per UTC minute.
    pub limit: u32,
    /// The current minute (its end is the next UTC minute, or earlier after a backwards jump).
    pub window: Option<Span>,
    /// Requests sent in it — every request, free or failing.
    pub requests: u32,
    /// Requests the server may have counted in the minute before `window`.
    #[serde(default)]
    pub previous: u32,
    /// Requests the server may count in the minute after `window` (sent near its end).
    #[serde(default)]
    pub spill: u32,
    /// How near a minute's edge a request may land in the neighbouring one: [`MINUTE_EDGE_MS`],
    /// or more on an emulator's scaled clock. Set with the clock ([`set_clock`]), not stored.
    #[serde(skip, default = "minute_edge")]
    pub edge_ms: i64,
}

fn minute_edge() -> i64 {
    MINUTE_EDGE_MS
}

impl MinuteWindow {
    /// Requests counted in the window holding at `now`.
    pub fn requests_at(&self, now: UnixMillis) -> u32 {
        match self.window {
            Some(w) if w.holds_at(now) => self.requests,
            Some(w) if now.0 < w.end.0 + MINUTE_MS => self.spill,
            _ => 0,
        }
    }

    /// Requests the server may count in the minute holding `t` (before the window: the previous
    /// minute; after it: the spill; further: none).
    fn in_minute_of(&self, t: UnixMillis) -> u32 {
        let Some(w) = self.window else { return 0 };
        if t < w.start {
            // Either the minute before, or the clock went backwards (then the window still
            // holds, see the module documentation): take the larger count.
            self.previous.max(self.requests)
        } else if t < w.end {
            self.requests
        } else if t.0 < w.end.0 + MINUTE_MS {
            self.spill
        } else {
            0
        }
    }

    /// The most requests any minute that a request sent at `now` could land in already holds.
    pub fn busiest_at(&self, now: UnixMillis) -> u32 {
        self.in_minute_of(now.plus(-self.edge_ms))
            .max(self.in_minute_of(now))
            .max(self.in_minute_of(now.plus(self.edge_ms)))
    }

    /// The earliest instant from `now` on at which a request fits every minute it could land in.
    pub fn opens_at(&self, now: UnixMillis) -> UnixMillis {
        let Some(w) = self.window else { return now };
        [
            now,
            w.start.plus(self.edge_ms),
            w.end.plus(self.edge_ms),
            w.end.plus(MINUTE_MS + self.edge_ms),
        ]
        .into_iter()
        .filter(|t| *t >= now)
        .find(|t| self.busiest_at(*t) < self.limit)
        .unwrap_or(w.end.plus(MINUTE_MS + self.edge_ms).max(now))
    }

    /// When the window holding at `now` ends.
    pub fn resets_at(&self, now: UnixMillis) -> UnixMillis {
        match self.window {
            Some(w) if w.holds_at(now) => w.end,
            _ => now.next_utc_minute(),
        }
    }

    /// Moves the window to the UTC minute holding `now`, carrying the counts of neighbouring
    /// minutes over. A window that still holds (including after a backwards jump) stays.
    fn shift_to(&mut self, now: UnixMillis) {
        let minute = Span {
            start: now.minute_start(),
            end: now.next_utc_minute(),
        };
        let (previous, requests) = match self.window {
            Some(w) if w.holds_at(now) => return,
            Some(w) if minute.start == w.end => (self.requests, self.spill),
            Some(w) if minute.start.0 == w.end.0 + MINUTE_MS => (self.spill, 0),
            _ => (0, 0),
        };
        self.window = Some(minute);
        self.previous = previous;
        self.requests = requests;
        self.spill = 0;
    }

    /// Counts one request at `now`, in every minute the server may count it in.
    pub(crate) fn count(&mut self, now: UnixMillis) {
        self.shift_to(now);
        let Some(w) = self.window else { return };
        self.requests = self.requests.saturating_add(1);
        if now.0 - self.edge_ms < w.start.0 {
            self.previous = self.previous.saturating_add(1);
        }
        if now.0 + self.edge_ms >= w.end.0 {
            self.spill = self.spill.saturating_add(1);
        }
    }

    /// Raises the count of the minute holding at `now` to `used` (a server's figure that
    /// includes requests of other clients); never lowers it.
    pub(crate) fn raise_to(&mut self, used: u32, now: UnixMillis) {
        self.shift_to(now);
        self.requests = self.requests.max(used);
    }

    /// Moves the window onto a clock `moved_ms` ahead of the one it was counted on (the
    /// server's clock, once its offset is known). A window that no longer lines up with a UTC
    /// minute overlaps two of the new clock's: its requests are counted in both, and the
    /// previous minute's in the first as well.
    pub(crate) fn rebase(&mut self, moved_ms: i64) {
        let Some(w) = self.window else { return };
        let start = w.start.plus(moved_ms);
        let first = start.minute_start();
        self.window = Some(Span {
            start: first,
            end: first.next_utc_minute(),
        });
        if start != first {
            let (previous, requests, spill) = (self.previous, self.requests, self.spill);
            self.previous = previous;
            self.requests = requests.saturating_add(previous);
            self.spill = spill.saturating_add(requests);
        }
    }

    /// Marks the minute holding at `now` as full (the server said 1008).
    pub(crate) fn fill(&mut self, now: UnixMillis) {
        self.count(now);
        self.requests = self.requests.max(self.limit);
    }

    fn advance(&mut self, now: UnixMillis) {
        if let Some(w) = &mut self.window {
            if now < w.start {
                // The clock went backwards: the counts stay, in a window that ends within a
                // minute of `now`. The neighbours' counts no longer line up with it.
                w.clamp_backwards(now, MINUTE_MS);
                self.previous = self.previous.max(self.requests);
            }
            if !w.holds_at(now) {
                self.shift_to(now);
            }
        }
    }
}

/// The back-off after CoinMarketCap's IP limit (1011), growing with each repeat.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpBackoff {
    /// Wait until this instant.
    pub until: Option<UnixMillis>,
    /// 1011 answers since the last success.
    pub strikes: u32,
}

/// First IP back-off: one minute, then doubling.
pub const IP_BACKOFF_FIRST_MS: i64 = MINUTE_MS;
/// The longest IP back-off: an hour; the threshold is undocumented, so we never wait longer.
pub const IP_BACKOFF_LONGEST_MS: i64 = 60 * MINUTE_MS;

impl IpBackoff {
    /// Registers a 1011 at `now` and returns the instant until which to wait.
    pub(crate) fn strike(&mut self, now: UnixMillis) -> UnixMillis {
        self.strikes = self.strikes.saturating_add(1);
        let shift = self.strikes.saturating_sub(1).min(6);
        let wait = (IP_BACKOFF_FIRST_MS << shift).min(IP_BACKOFF_LONGEST_MS);
        let until = now.plus(wait);
        self.until = Some(until);
        until
    }

    fn advance(&mut self, now: UnixMillis) {
        if let Some(t) = self.until {
            if now >= t {
                self.until = None;
            } else {
                self.until = Some(t.min(now.plus(IP_BACKOFF_LONGEST_MS)));
            }
        }
    }
}

/// The limits of a CoinMarketCap key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmcLimits {
    /// The plan assumed (chosen by the user) or learnt from key/info.
    pub plan: CmcPlan,
    /// Whether key/info has confirmed the figures below.
    pub confirmed: bool,
    /// Most `convert` targets per request.
    pub max_converts: u32,
    /// Requests per UTC minute.
    pub minute: MinuteWindow,
    /// Daily credits (optional cap).
    pub day: CreditLimit,
    /// Monthly credits.
    pub month: CreditLimit,
    /// IP back-off after 1011.
    pub ip: IpBackoff,
    /// Endpoints the server refused for this plan (1006), even if the catalog allows them.
    pub refused_endpoints: Vec<EndpointId>,
}

impl CmcLimits {
    /// Fresh limits for a plan, before anything was sent or learnt.
    pub fn new(plan: CmcPlan) -> CmcLimits {
        let l = plan.limits();
        let schedule = if plan.uses_calendar_resets() {
            Schedule::Calendar
        } else {
            Schedule::FromFirstUse
        };
        CmcLimits {
            plan,
            confirmed: false,
            max_converts: l.max_converts,
            minute: MinuteWindow {
                previous: 0,
                spill: 0,
                limit: l.requests_per_minute,
                window: None,
                requests: 0,
                edge_ms: MINUTE_EDGE_MS,
            },
            day: CreditLimit::new(l.daily_credits, Period::Day, schedule),
            month: CreditLimit::new(Some(l.monthly_credits), Period::Month, schedule),
            ip: IpBackoff::default(),
            refused_endpoints: Vec::new(),
        }
    }

    /// The monthly credits and requests per minute key/info reported, when they match no
    /// published plan (a custom contract); `None` before key/info or for a published plan.
    pub fn custom_limits(&self) -> Option<(Credits, u32)> {
        let published = self.plan.limits();
        let month = self.month.limit?;
        (self.confirmed
            && (month != published.monthly_credits
                || self.minute.limit != published.requests_per_minute))
            .then_some((month, self.minute.limit))
    }
}

/// The allowance of a Cryptowatch client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CwLimits {
    /// Whether requests carry an API key.
    pub keyed: bool,
    /// A full bucket (anonymous: 10 credits; keyed: assumed, then learnt).
    pub allowance: Credits,
    /// The 24-hour window, from the first request.
    pub window: Option<Span>,
    /// Credits left in the window (the server's figure when it sent one).
    pub remaining: Credits,
    /// The server answered "Out of allowance" at this instant; cleared by an answer with budget.
    pub exhausted_at: Option<UnixMillis>,
    /// The last root-path probe sent while exhausted.
    pub last_probe: Option<UnixMillis>,
    /// When the last `remaining` figure from the server arrived. Answers overtake each other
    /// when several requests are in flight: an answer to a request sent before then may carry an
    /// older figure, which may lower `remaining` but never raise it.
    #[serde(default)]
    pub figure_at: Option<UnixMillis>,
}

/// Cryptowatch's allowance window: 24 hours from the first request.
pub const CW_WINDOW_MS: i64 = DAY_MS;

impl CwLimits {
    /// A fresh allowance.
    pub fn new(keyed: bool) -> CwLimits {
        let allowance = if keyed {
            CW_KEYED_ALLOWANCE
        } else {
            CW_ANONYMOUS_ALLOWANCE
        };
        CwLimits {
            keyed,
            allowance,
            window: None,
            remaining: allowance,
            exhausted_at: None,
            last_probe: None,
            figure_at: None,
        }
    }

    /// Credits left at `now` (a full bucket once the window has ended).
    pub fn remaining_at(&self, now: UnixMillis) -> Credits {
        match self.window {
            Some(w) if w.holds_at(now) => self.remaining,
            _ => self.allowance,
        }
    }

    /// When the window holding at `now` ends (`None` when no window holds).
    pub fn resets_at(&self, now: UnixMillis) -> Option<UnixMillis> {
        self.window.filter(|w| w.holds_at(now)).map(|w| w.end)
    }

    /// Whether the server's "Out of allowance" still stands at `now`.
    pub fn is_exhausted_at(&self, now: UnixMillis) -> bool {
        self.exhausted_at.is_some() && self.window.is_some_and(|w| w.holds_at(now))
    }

    /// The next instant a root-path probe may go while exhausted: the top of the hour after the
    /// exhaustion or the last probe.
    ///
    /// ⚠ The reference records two reset rules (24 h from the first request, and "the top of the
    /// hour"). We wait for the 24-hour one and probe hourly, cheaply, to find out about the other.
    pub fn next_probe_at(&self) -> Option<UnixMillis> {
        let since = self.exhausted_at?;
        let last = self.last_probe.map_or(since, |p| p.max(since));
        Some(last.next_utc_hour())
    }

    pub(crate) fn charge(&mut self, cost: Credits, now: UnixMillis) {
        if !self.window.is_some_and(|w| w.holds_at(now)) {
            self.open_window(now);
        }
        self.remaining = self.remaining.remaining_after(cost);
    }

    pub(crate) fn open_window(&mut self, now: UnixMillis) {
        self.window = Some(Span {
            start: now,
            end: now.plus(CW_WINDOW_MS),
        });
        self.remaining = self.allowance;
        self.exhausted_at = None;
        self.last_probe = None;
    }

    fn advance(&mut self, now: UnixMillis) {
        if let Some(w) = &mut self.window {
            w.clamp_backwards(now, CW_WINDOW_MS);
            if !w.holds_at(now) {
                self.window = None;
                self.remaining = self.allowance;
                self.exhausted_at = None;
                self.last_probe = None;
            }
        }
        for t in [
            &mut self.exhausted_at,
            &mut self.last_probe,
            &mut self.figure_at,
        ]
        .into_iter()
        .flatten()
        {
            *t = (*t).min(now);
        }
    }
}

/// The limits of one account, by API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Limits {
    /// A CoinMarketCap key.
    Cmc(CmcLimits),
    /// A Cryptowatch client.
    Cw(CwLimits),
}

/// What the server said about the key itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Not known to be bad.
    Usable,
    /// The server rejected it for a reason waiting cannot fix.
    Rejected(KeyProblem),
}

/// Why a key is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyProblem {
    /// 1001: the key is invalid.
    Invalid,
    /// 1002: no key was sent.
    Missing,
    /// 1003: the plan must be activated (payment).
    PaymentRequired,
    /// 1004: the subscription expired.
    Expired,
    /// 1005: the call needs a key.
    KeyRequired,
    /// 1007: the key was disabled.
    Disabled,
}

impl KeyProblem {
    /// Every problem, for readers that go by name (`from_json`).
    pub const ALL: [KeyProblem; 6] = [
        KeyProblem::Invalid,
        KeyProblem::Missing,
        KeyProblem::PaymentRequired,
        KeyProblem::Expired,
        KeyProblem::KeyRequired,
        KeyProblem::Disabled,
    ];

    /// The variant's name, as stored accounts write it (serde's name for it).
    pub const fn name(self) -> &'static str {
        match self {
            KeyProblem::Invalid => "Invalid",
            KeyProblem::Missing => "Missing",
            KeyProblem::PaymentRequired => "PaymentRequired",
            KeyProblem::Expired => "Expired",
            KeyProblem::KeyRequired => "KeyRequired",
            KeyProblem::Disabled => "Disabled",
        }
    }
}

/// A request in flight, holding its estimated cost so concurrent sends cannot overshoot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// Its identifier.
    pub id: ReservationId,
    /// The endpoint called.
    pub endpoint: EndpointId,
    /// The estimated cost held.
    pub cost: Credits,
    /// When it was sent.
    pub sent_at: UnixMillis,
    /// Whether it is a Cryptowatch probe sent while exhausted.
    pub probe: bool,
}

/// Identifies a reservation within its account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReservationId(pub u64);

/// The gap between what the local estimate predicted and what the server charged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// Charged minus estimated, for the last answer that carried a charge.
    pub last: Credits,
    /// Sum of all those differences.
    pub total: Credits,
    /// How many answers contributed.
    pub samples: u32,
}

impl Drift {
    pub(crate) fn record(&mut self, charged: Credits, estimated: Credits) -> Credits {
        let d = charged - estimated;
        self.last = d;
        self.total += d;
        self.samples = self.samples.saturating_add(1);
        d
    }
}

/// Everything known about one API account: its limits, its key and its requests in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Which API.
    pub api: ApiKind,
    /// A label the shell chooses for the key (a name or a short fingerprint — never the key).
    pub key_label: String,
    /// What the server said about the key.
    pub key: KeyStatus,
    /// The limits.
    pub limits: Limits,
    /// Requests in flight.
    pub reservations: Vec<Reservation>,
    /// The next reservation identifier.
    pub next_reservation: u64,
    /// Estimate versus server truth.
    pub drift: Drift,
    /// The counts were reset without the server's figures (stored counts that could not be
    /// read were replaced): nothing but a request that reads the server's totals may go until
    /// one has answered. Absent in documents written before it existed: `false`.
    #[serde(default)]
    pub needs_sync: bool,
    /// The offset to the server's clock the windows were counted with (see [`set_clock`]).
    /// Absent in documents written before it existed: 0, the visitor's own clock.
    #[serde(default)]
    pub clock_offset_ms: i64,
}

impl Account {
    /// A fresh CoinMarketCap account on `plan`.
    pub fn cmc(key_label: &str, plan: CmcPlan) -> Account {
        Account::with_limits(
            ApiKind::CoinMarketCap,
            key_label,
            Limits::Cmc(CmcLimits::new(plan)),
        )
    }

    /// A fresh Cryptowatch account, anonymous or keyed.
    pub fn cryptowatch(key_label: &str, keyed: bool) -> Account {
        Account::with_limits(
            ApiKind::Cryptowatch,
            key_label,
            Limits::Cw(CwLimits::new(keyed)),
        )
    }

    fn with_limits(api: ApiKind, key_label: &str, limits: Limits) -> Account {
        Account {
            api,
            key_label: key_label.to_owned(),
            key: KeyStatus::Usable,
            limits,
            reservations: Vec::new(),
            next_reservation: 1,
            drift: Drift::default(),
            needs_sync: false,
            clock_offset_ms: 0,
        }
    }

    /// This account, marked as reset: it spends nothing until the server's totals are read
    /// (see [`Account::needs_sync`]).
    pub fn awaiting_sync(mut self) -> Account {
        self.needs_sync = true;
        self
    }

    /// Credits held by requests in flight.
    pub fn reserved(&self) -> Credits {
        self.reservations.iter().map(|r| r.cost).sum()
    }

    /// The CoinMarketCap limits, if this is a CoinMarketCap account.
    pub fn cmc_limits(&self) -> Option<&CmcLimits> {
        match &self.limits {
            Limits::Cmc(l) => Some(l),
            Limits::Cw(_) => None,
        }
    }

    /// The Cryptowatch limits, if this is a Cryptowatch account.
    pub fn cw_limits(&self) -> Option<&CwLimits> {
        match &self.limits {
            Limits::Cw(l) => Some(l),
            Limits::Cmc(_) => None,
        }
    }
}

/// Brings the state up to `now`: ends windows that are over, pulls windows back after a backwards
/// clock jump, and settles reservations whose answer never came as charged at their estimate.
///
/// [`crate::decide::reserve`] and [`crate::reconcile::reconcile`] call it; the shell may call it before showing a
/// gauge. [`decide`] needs no call first: it reads windows the same way.
pub fn advance(account: &mut Account, now: UnixMillis) {
    let mut stale = Vec::new();
    account.reservations.retain_mut(|r| {
        r.sent_at = r.sent_at.min(now);
        if now.0.saturating_sub(r.sent_at.0) >= RESERVATION_TIMEOUT_MS {
            stale.push(r.cost);
            false
        } else {
            true
        }
    });
    match &mut account.limits {
        Limits::Cmc(l) => {
            l.minute.advance(now);
            l.day.advance(now);
            l.month.advance(now);
            l.ip.advance(now);
            for cost in stale {
                l.day.charge(cost, now);
                l.month.charge(cost, now);
            }
        }
        Limits::Cw(l) => {
            l.advance(now);
            for cost in stale {
                l.charge(cost, now);
            }
        }
    }
}

/// Counts the account's windows on a clock `offset_ms` ahead of the visitor's (the server's, as
/// learnt), on which a request may land in a neighbouring minute within `edge_ms` of its edge
/// ([`MINUTE_EDGE_MS`], or more on an emulator's scaled clock). The minute window moves by the
/// change since the last call; a change within the edge is only recorded, since the edge covers
/// it. Day and month windows are long enough that a few minutes do not matter.
pub fn set_clock(account: &mut Account, offset_ms: i64, edge_ms: i64) {
    let edge_ms = edge_ms.clamp(MINUTE_EDGE_MS, MINUTE_MS / 4);
    if let Limits::Cmc(l) = &mut account.limits {
        l.minute.edge_ms = edge_ms;
    }
    let moved = offset_ms - account.clock_offset_ms;
    if moved == 0 {
        return;
    }
    if moved.abs() > edge_ms {
        if let Limits::Cmc(l) = &mut account.limits {
            l.minute.rebase(moved);
        }
    }
    account.clock_offset_ms = offset_ms;
}

/// Sets the plan the user says a CoinMarketCap account is on, keeping every count. Ignored once
/// key/info has confirmed the plan: the server's figures win over a choice in a form.
pub fn set_plan(account: &mut Account, plan: CmcPlan) -> bool {
    let Limits::Cmc(l) = &mut account.limits else {
        return false;
    };
    if l.confirmed || l.plan == plan {
        return false;
    }
    let fresh = CmcLimits::new(plan);
    l.plan = plan;
    l.max_converts = fresh.max_converts;
    l.minute.limit = fresh.minute.limit;
    l.day.limit = fresh.day.limit;
    l.day.schedule = fresh.day.schedule;
    l.month.limit = fresh.month.limit;
    l.month.schedule = fresh.month.schedule;
    true
}

/// Drops a reservation for a request that was never sent (the user cancelled before it left).
/// Its minute slot stays counted: the shell cannot be sure nothing went out.
pub fn cancel(account: &mut Account, id: ReservationId) -> bool {
    let before = account.reservations.len();
    account.reservations.retain(|r| r.id != id);
    before != account.reservations.len()
}

/// All accounts the widget knows, the unit that is stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// One entry per API and key label.
    pub accounts: Vec<Account>,
}

impl Ledger {
    /// The account for an API and key label, if known.
    pub fn account(&self, api: ApiKind, key_label: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.api == api && a.key_label == key_label)
    }

    /// The account for an API and key label, created by `fresh` if unknown.
    pub fn account_or_insert_with(
        &mut self,
        api: ApiKind,
        key_label: &str,
        fresh: impl FnOnce() -> Account,
    ) -> &mut Account {
        let index = match self
            .accounts
            .iter()
            .position(|a| a.api == api && a.key_label == key_label)
        {
            Some(i) => i,
            None => {
                self.accounts.push(fresh());
                self.accounts.len() - 1
            }
        };
        &mut self.accounts[index]
    }
}

#[cfg(test)]
mod set_plan_tests {
    use super::*;
    use crate::time::UnixMillis;

    #[test]
    fn limits_that_match_no_published_plan_are_custom_once_confirmed() {
        let mut l = CmcLimits::new(CmcPlan::Basic);
        assert_eq!(l.custom_limits(), None, "assumed, not learnt");
        l.confirmed = true;
        assert_eq!(l.custom_limits(), None, "Basic's own figures");
        l.month.limit = Some(Credits::from_whole(400));
        l.minute.limit = 2000;
        assert_eq!(l.custom_limits(), Some((Credits::from_whole(400), 2000)));
        l.confirmed = false;
        assert_eq!(l.custom_limits(), None);
    }

    #[test]
    fn choosing_a_plan_keeps_the_counts_but_a_confirmed_plan_wins() {
        let mut a = Account::cmc("k", CmcPlan::Basic);
        let now = UnixMillis(1_759_054_864_716);
        // One request counted this minute, as sending one would.
        if let Limits::Cmc(l) = &mut a.limits {
            l.minute.count(now);
        }
        assert!(set_plan(&mut a, CmcPlan::Startup));
        let l = a.cmc_limits().unwrap();
        assert_eq!(l.plan, CmcPlan::Startup);
        assert_eq!(l.minute.limit, 60);
        assert_eq!(l.minute.requests_at(now), 1);
        if let Limits::Cmc(l) = &mut a.limits {
            l.confirmed = true;
        }
        assert!(!set_plan(&mut a, CmcPlan::Basic));
        assert_eq!(a.cmc_limits().unwrap().plan, CmcPlan::Startup);
    }
}
