use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client;
use crate::components::Gauge;

/// The demo key every emulator accepts for the Basic plan.
const DEMO_KEY: &str = "demo-basic";

/// The single-page app.
#[component]
pub fn App() -> impl IntoView {
    let (remaining, set_remaining) = signal(30u32);
    let (limit, set_limit) = signal(30u32);
    let (message, set_message) = signal(String::from("Not synced yet."));

    let sync = move |_| {
        set_message.set(String::from("Syncing…"));
        spawn_local(async move {
            match client::key_info(client::CMC_BASE, DEMO_KEY).await {
                Ok(minute) => {
                    set_limit.set(minute.requests_made + minute.requests_left);
                    set_remaining.set(minute.requests_left);
                    set_message.set(String::from("Synced with the server."));
                }
                Err(e) => set_message.set(e),
            }
        });
    };

    view! {
        <main class="cg">
            <h1>"credit-gauge"</h1>
            <Gauge label="Requests this minute" remaining=remaining limit=limit />
            <button id="sync" type="button" on:click=sync>"Sync"</button>
            <p class="status" role="status">{message}</p>
        </main>
    }
}
