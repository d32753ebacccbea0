//! Start-up benchmark: how long from navigation to the first painted content and to the first
//! painted gauge, in a cold headless Chromium (a fresh profile for every run, so nothing is
//! cached), for one or more built apps served by the emulator on loopback.
//!
//! ```sh
//! scripts/build
//! cargo run --example startup -- --runs 7 credit-gauge=dist [other-app=path/to/its/dist ...]
//! ```
//!
//! Reports, per app, the median and the range over the runs of: first contentful paint, the
//! first element with `elementtiming="credit-gauge"` painted (the widget's gauges carry it;
//! "—" for apps without it), the load event, and the bytes the page transferred (the
//! emulator does not compress, so this is the uncompressed size; BENCHMARKS.md lists gzip).
//! With two apps or more, it then compares each app's first gauge with the last app's first
//! contentful paint round by round (the runs take turns, so each round's pair met the same
//! machine load): the median and middle half of the per-round ratios, steadier than a ratio of
//! two medians. A benchmark, not a test: the figures depend on the machine and its load.

// The browser and the emulator only run natively; the wasm build of the examples is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    native::main().await;
}

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::common;

    use std::path::PathBuf;

    use common::{Browser, Emulator};
    use credit_gauge_emulator::Config;
    use serde_json::Value;

    /// Waits for the first contentful paint and (up to 10 s) for an element timing entry, then
    /// returns the figures in milliseconds since navigation start.
    const MEASURE: &str = r#"
    const done = arguments[arguments.length - 1];
    const started = performance.now();
    let element = null;
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.identifier === 'credit-gauge' && (element === null || e.renderTime < element)) {
            element = e.renderTime || e.loadTime;
          }
        }
      }).observe({ type: 'element', buffered: true });
    } catch (e) {}
    const poll = () => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      const loaded = nav && nav.loadEventEnd > 0;
      const waited = performance.now() - started;
      if (fcp && loaded && (element !== null || waited > 10000)) {
        const bytes = performance.getEntriesByType('resource')
          .reduce((sum, r) => sum + r.transferSize, nav.transferSize);
        done({ fcp: fcp.startTime, gauge: element, load: nav.loadEventEnd, bytes });
      } else if (waited > 20000) {
        done({ error: 'no first contentful paint in 20 s' });
      } else {
        setTimeout(poll, 50);
      }
    };
    poll();
    "#;

    struct Figures {
        fcp: Vec<f64>,
        gauge: Vec<f64>,
        load: Vec<f64>,
        bytes: Vec<f64>,
        /// Each round's first contentful paint and first gauge, in round order.
        rounds: Vec<(Option<f64>, Option<f64>)>,
    }

    /// The median and the middle half (quartiles) of `values`, as `1.23 (1.10–1.35)`.
    fn median_and_middle_half(values: &[f64]) -> String {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        format!("{:.2} ({:.2}–{:.2})", at(0.5), at(0.25), at(0.75))
    }

    fn median_and_range(values: &[f64]) -> String {
        if values.is_empty() {
            return "—".into();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        format!("{median:.0} ({:.0}–{:.0})", v[0], v[v.len() - 1])
    }

    pub async fn main() {
        let mut runs = 7;
        let mut apps = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--runs" {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--runs takes a number");
            } else if let Some((name, dir)) = arg.split_once('=') {
                apps.push((name.to_string(), PathBuf::from(dir)));
            } else {
                apps.push((arg.clone(), PathBuf::from(arg)));
            }
        }
        assert!(
            !apps.is_empty(),
            "usage: startup [--runs N] name=dist-dir [name=dist-dir ...]"
        );

        println!("| app | first contentful paint, ms | first gauge painted, ms | load event, ms | bytes transferred |");
        println!("|---|---|---|---|---|");
        // Every app is served at once and the runs take turns (a run of each app, then the next
        // round), so a change in the machine's load during the benchmark falls on all of them.
        // Each round starts with the next app, so that no app always runs just before another.
        let mut served = Vec::new();
        for (name, dir) in apps {
            let dir = dir.canonicalize().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                dir.join("index.html").is_file(),
                "{name}: no index.html in {}",
                dir.display()
            );
            let emulator = Emulator::start(Config {
                static_dir: Some(dir),
                ..Config::default()
            })
            .await;
            let figures = Figures {
                fcp: vec![],
                gauge: vec![],
                load: vec![],
                bytes: vec![],
                rounds: vec![],
            };
            served.push((name, emulator, figures));
        }
        let count = served.len();
        for run in 0..runs {
            for turn in 0..count {
                let (name, emulator, figures) = &mut served[(run + turn) % count];
                // A fresh profile: nothing cached, as on a first visit.
                let browser = Browser::start().await;
                browser
                    .client
                    .goto(&emulator.url("/"))
                    .await
                    .unwrap_or_else(|e| panic!("{name}: open the page: {e}"));
                let result: Value = browser
                    .client
                    .execute_async(MEASURE, vec![])
                    .await
                    .unwrap_or_else(|e| panic!("{name}: measure: {e}"));
                if let Some(error) = result.get("error") {
                    panic!("{name}, run {run}: {error}");
                }
                figures
                    .rounds
                    .push((result["fcp"].as_f64(), result["gauge"].as_f64()));
                figures.fcp.extend(result["fcp"].as_f64());
                figures.gauge.extend(result["gauge"].as_f64());
                figures.load.extend(result["load"].as_f64());
                figures.bytes.extend(result["bytes"].as_f64());
                browser.close().await;
            }
        }
        for (name, _, figures) in &served {
            println!(
                "| {name} | {} | {} | {} | {} |",
                median_and_range(&figures.fcp),
                median_and_range(&figures.gauge),
                median_and_range(&figures.load),
                median_and_range(&figures.bytes),
            );
        }
        if let Some(((reference, _, base), others)) = served.split_last() {
            for (name, _, figures) in others {
                let ratios: Vec<f64> = figures
                    .rounds
                    .iter()
                    .zip(&base.rounds)
                    .filter_map(|((_, gauge), (fcp, _))| Some(gauge.as_ref()? / fcp.as_ref()?))
                    .collect();
                if !ratios.is_empty() {
                    println!(
                        "\n{name}'s first gauge against {reference}'s first contentful paint, per round \
                         ({} rounds): {}",
                        ratios.len(),
                        median_and_middle_half(&ratios)
                    );
                }
            }
        }
    }
}
