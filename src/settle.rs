//! Folding an answer into the ledger: what it cost, the server's clock it carried, and a team
//! gateway's figures for every client of the key.

use credit_gauge_core::{Outcome, ReservationId, Settlement};

use crate::client::Reply;
use crate::settings::Settings;
use crate::widget::{now, Widget};

impl Widget {
    /// Folds the answer to `reservation` into the ledger: first the server's clock it carried,
    /// then its cost, then a team gateway's figures for every client of the key when it sent
    /// them.
    pub(crate) async fn settle(
        self,
        s: &Settings,
        reservation: ReservationId,
        reply: &Reply,
    ) -> Settlement {
        // The server's clock, before the answer is settled on it: an emulator's scaled clock
        // when it announces one (any other answer ends following it), else the server's time.
        if matches!(reply.outcome, Outcome::Cmc(_) | Outcome::Cw(_)) {
            crate::clock::follow(s.base(), reply.time_scale.as_deref());
        }
        if let (Some((left, head)), Outcome::Cmc(answer)) = (reply.exchange, &reply.outcome) {
            if let Some(server) = answer.timestamp {
                crate::clock::learn(left, head, server);
            }
        }
        let team = reply
            .team_fields
            .as_ref()
            .map(|(policy, remaining)| credit_gauge_core::team::parse(policy, remaining))
            .unwrap_or_default();
        let outcome = &reply.outcome;
        let reserved = self.account.try_get_untracked().flatten();
        let settled = {
            let outcome = outcome.clone();
            self.with_account(s, move |a, t| {
                let settlement = credit_gauge_core::reconcile(a, reservation, &outcome, t);
                let from_team = credit_gauge_core::team::adopt(a, &team, t);
                (settlement, from_team)
            })
            .await
        };
        let settled = settled.map(|(settlement, from_team)| {
            if from_team {
                self.team.set(true);
            }
            settlement
        });
        match (settled, reserved) {
            (Some(settlement), _) => settlement,
            // The stored counts became unreadable while the request was out: count it in
            // memory, on the account as it was when the request left.
            (None, Some(mut account)) => {
                let settlement =
                    credit_gauge_core::reconcile(&mut account, reservation, outcome, now());
                self.account.set(Some(account));
                settlement
            }
            (None, None) => {
                credit_gauge_core::reconcile(&mut s.fresh_account(), reservation, outcome, now())
            }
        }
    }
}
