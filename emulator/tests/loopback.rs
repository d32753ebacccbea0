//! The emulator over real loopback HTTP: every rule of the API reference it implements.

#[path = "loopback/support.rs"]
mod support;

#[path = "loopback/cmc.rs"]
mod cmc;
#[path = "loopback/cors_faults.rs"]
mod cors_faults;
#[path = "loopback/cryptowatch.rs"]
mod cryptowatch;
#[path = "loopback/server.rs"]
mod server;
