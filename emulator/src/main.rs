use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use credit_gauge_emulator::{serve, Config};

const USAGE: &str = "usage: credit-gauge-emulator [--port N] [--dist DIR]";

fn main() -> ExitCode {
    let mut port: u16 = 8787;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|v| v.parse().ok()) {
                Some(p) => port = p,
                None => return fail("--port needs a number from 0 to 65535"),
            },
            "--dist" => match args.next() {
                Some(dir) => config.static_dir = Some(PathBuf::from(dir)),
                None => return fail("--dist needs a folder"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return fail(&format!("unknown argument {other}")),
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => return fail(&format!("cannot listen on {addr}: {e}")),
        };
        println!("credit-gauge emulator on http://{addr}");
        println!("CoinMarketCap demo key: demo-basic");
        match serve(listener, config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("server stopped: {e}")),
        }
    })
}

fn fail(message: &str) -> ExitCode {
    eprintln!("credit-gauge-emulator: {message}\n{USAGE}");
    ExitCode::from(2)
}
