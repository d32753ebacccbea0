use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use credit_gauge_emulator::{serve, Config, Cors, ProxyConfig};

const USAGE: &str = "usage: credit-gauge-emulator [options]

  --port N                  listen on 127.0.0.1:N (default 8787; 0 picks a free port)
  --dist DIR                serve the built app from DIR at /
  --time-scale N            every window (minute, day, month, 24 h) passes N times faster
  --plans FILE              CoinMarketCap plans, gates and demo keys (default: the shipped plans.json)
  --cors-origin ORIGIN      allow only this browser origin (repeatable; default: any origin)
  --no-cors                 send no CORS headers, like the real CoinMarketCap
  --cw-keyed-allowance N    credits per 24 h for the keyed Cryptowatch caller (default 1000)
  --proxy-cmc URL           forward /cmc to this CoinMarketCap base URL with a server-side key
  --proxy-cmc-key-env VAR   read the proxy's key from this environment variable
                            (default CMC_PRO_API_KEY)
  --proxy-cmc-key-file FILE read the proxy's key from this file instead
  --proxy-faults            keep fault injection (the switch and per-request faults on /cmc)
                            in proxy mode; off by default
  -h, --help                this text";

fn main() -> ExitCode {
    let mut port: u16 = 8787;
    let mut config = Config::default();
    let mut origins: Vec<String> = Vec::new();
    let mut no_cors = false;
    let mut proxy_url: Option<String> = None;
    let mut key_env = String::from("CMC_PRO_API_KEY");
    let mut key_file: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or_else(|| format!("{arg} needs {what}"));
        let step = match arg.as_str() {
            "--port" => value("a number from 0 to 65535").and_then(|v| {
                v.parse()
                    .map(|p| port = p)
                    .map_err(|_| "--port needs a number from 0 to 65535".to_string())
            }),
            "--dist" => value("a folder").map(|d| config.static_dir = Some(PathBuf::from(d))),
            "--time-scale" => value("a whole number from 1 up").and_then(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .map(|n| config.time_scale = n)
                    .ok_or_else(|| "--time-scale needs a whole number from 1 up".to_string())
            }),
            "--plans" => value("a file").and_then(|f| {
                std::fs::read_to_string(&f)
                    .map(|text| config.plans_json = Some(text))
                    .map_err(|e| format!("cannot read {f}: {e}"))
            }),
            "--cors-origin" => value("an origin such as http://localhost:8080").map(|o| {
                origins.push(o.trim_end_matches('/').to_string());
            }),
            "--no-cors" => {
                no_cors = true;
                Ok(())
            }
            "--cw-keyed-allowance" => value("a number of credits").and_then(|v| {
                v.parse::<u64>()
                    .ok()
                    .and_then(|c| c.checked_mul(1000))
                    .map(|m| config.cw_keyed_allowance_milli = m)
                    .ok_or_else(|| {
                        "--cw-keyed-allowance needs a whole number of credits".to_string()
                    })
            }),
            "--proxy-cmc" => value("a URL").map(|u| proxy_url = Some(u)),
            "--proxy-cmc-key-env" => value("a variable name").map(|v| key_env = v),
            "--proxy-cmc-key-file" => value("a file").map(|f| key_file = Some(PathBuf::from(f))),
            "--proxy-faults" => {
                config.proxy_faults = true;
                Ok(())
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(message) = step {
            return fail(&message);
        }
    }
    config.cors = match (no_cors, origins.is_empty()) {
        (true, true) => Cors::Off,
        (true, false) => return fail("--no-cors and --cors-origin contradict each other"),
        (false, true) => Cors::Any,
        (false, false) => Cors::Origins(origins),
    };
    if let Some(upstream) = proxy_url {
        let key = match &key_file {
            Some(file) => match std::fs::read_to_string(file) {
                Ok(k) => k.trim().to_string(),
                Err(e) => {
                    return fail(&format!("cannot read the key file {}: {e}", file.display()))
                }
            },
            None => match std::env::var(&key_env) {
                Ok(k) => k.trim().to_string(),
                Err(_) => {
                    return fail(&format!(
                        "--proxy-cmc needs a key in ${key_env} or --proxy-cmc-key-file"
                    ))
                }
            },
        };
        config.proxy_cmc = Some(ProxyConfig::new(upstream, key));
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
        let addr = listener.local_addr().unwrap_or(addr);
        announce(&addr, &config);
        match serve(listener, config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("server stopped: {e}")),
        }
    })
}

fn announce(addr: &SocketAddr, config: &Config) {
    println!("credit-gauge emulator on http://{addr}");
    println!("  CoinMarketCap  http://{addr}/cmc/v1/…");
    println!("  Cryptowatch    http://{addr}/cryptowatch/…");
    println!("  ledger         http://{addr}/_emulator/ledger");
    if config.time_scale > 1 {
        println!("  time runs {}× faster", config.time_scale);
    }
    match &config.proxy_cmc {
        // The key itself is never printed.
        Some(p) => println!("  /cmc is proxied to {} with the server's key", p.upstream),
        None => {
            println!("CoinMarketCap demo keys (header X-CMC_PRO_API_KEY or ?CMC_PRO_API_KEY=):");
            println!("  demo-basic demo-hobbyist demo-startup demo-standard demo-professional demo-enterprise");
            println!("  demo-bench (no practical limits, for load tests)");
            println!("  failures: demo-unpaid (1003) demo-expired (1004) demo-disabled (1007); any other key → 1001");
        }
    }
    println!(
        "Cryptowatch: no key = anonymous (10 credits / 24 h); apikey=demo-cw = keyed ({} credits / 24 h)",
        config.cw_keyed_allowance_milli / 1000
    );
    println!("State lives in memory: a restart starts fresh.");
}

fn fail(message: &str) -> ExitCode {
    eprintln!("credit-gauge-emulator: {message}\n{USAGE}");
    ExitCode::from(2)
}
