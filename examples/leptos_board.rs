//! A Leptos app that sends its own requests through the gauge: a board of the top coins that
//! loads on a click (interactive) and refreshes every 15 seconds (background), beside the
//! compact gauge. Every call is costed before it goes, waits for the budget instead of running
//! into a 429, and is counted on the same budget as every widget and tab of the origin.
//!
//! Use it as the `main.rs` of a Trunk app that depends on `credit-gauge`, `credit-gauge-core`
//! and `leptos` (features `csr`), served where `/cmc` reaches the emulator or your
//! team gateway (`scripts/run --gateway` serves both). `cargo test` compiles it for both targets,
//! so it cannot drift from the API.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(board::Board);
}

// The gauge runs in a browser only.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod board {
    use credit_gauge::embed::EmbedOptions;
    use credit_gauge::handle::{CreditGauge, GaugeReply, Priority, Terms};
    use credit_gauge_core::ApiKind;
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use serde::Deserialize;

    /// One row of `/v1/cryptocurrency/listings/latest`: the fields the board shows.
    #[derive(Clone, Debug, Deserialize)]
    struct Coin {
        name: String,
        symbol: String,
        quote: std::collections::HashMap<String, Quote>,
    }

    #[derive(Clone, Debug, Deserialize)]
    struct Quote {
        price: Option<f64>,
    }

    /// What the board says under its table.
    fn status_of(reply: &GaugeReply) -> String {
        match &reply.explanation {
            None => format!("charged {} credit(s)", reply.charged),
            Some(e) => format!("{}: {}", e.title, e.what_to_do),
        }
    }

    #[component]
    pub fn Board() -> impl IntoView {
        let gauge = CreditGauge::new(&EmbedOptions {
            api: Some(ApiKind::CoinMarketCap),
            base_url: Some("/cmc".into()),
            compact: true,
            ..EmbedOptions::default()
        });
        let coins = RwSignal::new(Vec::<Coin>::new());
        let status = RwSignal::new(String::from("Not loaded yet"));
        // One load at a time: a timer never piles requests up behind a waiting one.
        let loading = RwSignal::new(false);

        let load = move |priority: Priority| {
            if loading.get_untracked() {
                return;
            }
            loading.set(true);
            spawn_local(async move {
                let request =
                    gauge.request("/v1/cryptocurrency/listings/latest", &[("limit", "10")]);
                let outcome = match request {
                    Ok(request) => {
                        let terms = Terms {
                            priority,
                            ..Terms::default()
                        };
                        gauge.fetch(request, terms).await
                    }
                    Err(refusal) => Err(refusal),
                };
                match outcome {
                    Ok(reply) => {
                        if let Some(rows) = reply.data_as::<Vec<Coin>>() {
                            coins.set(rows);
                        }
                        status.set(status_of(&reply));
                    }
                    Err(refusal) => status.set(refusal.to_string()),
                }
                loading.set(false);
            });
        };

        let every = std::time::Duration::from_secs(15);
        if let Ok(timer) = set_interval_with_handle(move || load(Priority::Background), every) {
            on_cleanup(move || timer.clear());
        }

        view! {
            <main>
                {gauge.view()}
                <button on:click=move |_| load(Priority::Interactive)>"Load now"</button>
                <table>
                    <tbody>
                        <For each=move || coins.get() key=|c| c.symbol.clone() let:coin>
                            <tr>
                                <td>{coin.name.clone()}</td>
                                <td>{coin.symbol.clone()}</td>
                                <td>
                                    {coin.quote.get("USD").and_then(|q| q.price).map(|p| format!("{p:.2}"))}
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <p>{move || status.get()}</p>
            </main>
        }
    }
}
