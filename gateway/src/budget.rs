//! The gateway's ledger: one CoinMarketCap account (the upstream key's), authoritative for
//! every client. In memory for one instance; in Redis for several, where every change is a
//! compare-and-set of the whole account, so instances never spend the same budget twice.
//! The rules are the core's: the same `reserve` and `reconcile` the widget runs.

use std::time::Duration;

use credit_gauge_core::{advance, Account, CmcPlan, UnixMillis};
use tokio::sync::Mutex;

/// The account's label in the ledger: never the key.
pub const ACCOUNT_LABEL: &str = "gateway";
/// Where the account lives in Redis.
pub const REDIS_KEY: &str = "credit-gauge:gateway:cmc-account";
/// The most tries of a change that other instances keep changing first.
const MAX_TRIES: u32 = 200;
/// How long one Redis command may take before the gateway gives up on it.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// Replaces the account only if it is still what was read: `KEYS[1]` the account, `ARGV[1]`
/// the text read (`""` when there was none), `ARGV[2]` the new text.
const COMPARE_AND_SET: &str = r"
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// Why the ledger could not be changed: nothing is forwarded then.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("the shared ledger (Redis) cannot be reached, so nothing is forwarded: {0}")]
    Unreachable(String),
    #[error("the shared ledger (Redis) holds an account this gateway cannot read, so nothing is forwarded")]
    Unreadable,
    #[error("the shared ledger (Redis) is too busy: other instances kept changing it")]
    Busy,
}

/// Where the account lives.
pub enum Budget {
    Memory(Box<Mutex<Account>>),
    Redis {
        connection: redis::aio::ConnectionManager,
        script: redis::Script,
        plan: Option<CmcPlan>,
    },
}

/// A fresh account for the upstream key on `plan` (Basic until one is known: the smallest
/// limits, so nothing is spent that a smaller plan could not pay for). It spends nothing until
/// the key's usage has been read from `/v1/key/info`: a gateway that starts (or a Redis that
/// lost its data) does not know what was spent before.
pub fn fresh_account(plan: Option<CmcPlan>) -> Account {
    Account::cmc(ACCOUNT_LABEL, plan.unwrap_or(CmcPlan::Basic)).awaiting_sync()
}

impl Budget {
    /// A ledger in this process's memory.
    pub fn memory(plan: Option<CmcPlan>) -> Budget {
        Budget::Memory(Box::new(Mutex::new(fresh_account(plan))))
    }

    /// A ledger in Redis at `url`. Connects lazily: a gateway starts while Redis is down, and
    /// answers 503 until it is back.
    pub fn redis(url: &str, plan: Option<CmcPlan>) -> Result<Budget, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--redis {url}: {e}"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = redis::aio::ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("--redis {url}: {e}"))?;
        Ok(Budget::Redis {
            connection,
            script: redis::Script::new(COMPARE_AND_SET),
            plan,
        })
    }

    /// Applies `change` to the account as it is at `now` (expired windows and lost
    /// reservations settled first), atomically with respect to every other instance.
    pub async fn change<R>(
        &self,
        now: impl Fn() -> UnixMillis,
        change: impl Fn(&mut Account, UnixMillis) -> R,
    ) -> Result<R, BudgetError> {
        match self {
            Budget::Memory(account) => {
                let mut account = account.lock().await;
                let t = now();
                advance(&mut account, t);
                Ok(change(&mut account, t))
            }
            Budget::Redis {
                connection,
                script,
                plan,
            } => {
                let mut connection = connection.clone();
                for attempt in 0..MAX_TRIES {
                    let (read, mut account) = read(&mut connection, *plan).await?;
                    let t = now();
                    advance(&mut account, t);
                    let result = change(&mut account, t);
                    let written =
                        serde_json::to_string(&account).map_err(|_| BudgetError::Unreadable)?;
                    let swapped: i64 = script
                        .key(REDIS_KEY)
                        .arg(read.as_deref().unwrap_or(""))
                        .arg(written)
                        .invoke_async(&mut connection)
                        .await
                        .map_err(|e| BudgetError::Unreachable(e.to_string()))?;
                    if swapped == 1 {
                        return Ok(result);
                    }
                    // Another instance changed it first: read again, after a short pause
                    // that grows, so instances do not keep colliding.
                    let pause = u64::from(attempt.min(20)) * 200 + u64::from(attempt % 7) * 50;
                    tokio::time::sleep(Duration::from_micros(pause)).await;
                }
                Err(BudgetError::Busy)
            }
        }
    }

    /// The account as it is at `now`, changing nothing (stored or not).
    pub async fn snapshot(&self, now: impl Fn() -> UnixMillis) -> Result<Account, BudgetError> {
        let mut account = match self {
            Budget::Memory(account) => account.lock().await.clone(),
            Budget::Redis {
                connection, plan, ..
            } => read(&mut connection.clone(), *plan).await?.1,
        };
        advance(&mut account, now());
        Ok(account)
    }
}

/// The stored text (none when there is no account yet) and the account it holds.
async fn read(
    connection: &mut redis::aio::ConnectionManager,
    plan: Option<CmcPlan>,
) -> Result<(Option<String>, Account), BudgetError> {
    let text: Option<String> = redis::cmd("GET")
        .arg(REDIS_KEY)
        .query_async(connection)
        .await
        .map_err(|e| BudgetError::Unreachable(e.to_string()))?;
    let account = match &text {
        None => fresh_account(plan),
        Some(text) => serde_json::from_str(text).map_err(|_| BudgetError::Unreadable)?,
    };
    Ok((text, account))
}
