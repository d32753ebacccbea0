//! How long `decide` and `reconcile` take on a warm, realistic state (goal: ≤ 1 µs each).

use std::hint::black_box;

use credit_gauge_core::catalog::{CmcPlan, EndpointId, Request};
use credit_gauge_core::decide::decide;
use credit_gauge_core::decide::reserve;
use credit_gauge_core::envelope::{cmc_outcome, cw_outcome};
use credit_gauge_core::ledger::Account;
use credit_gauge_core::reconcile::reconcile;
use credit_gauge_core::time::UnixMillis;
use criterion::{criterion_group, criterion_main, Criterion};

const NOW: UnixMillis = UnixMillis(1_759_054_864_716);

fn warm_cmc() -> Account {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let ok = cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":1}}"#);
    for i in 0..10 {
        let t = UnixMillis(NOW.0 - 3_600_000 + i * 1000);
        if let Ok(id) = reserve(
            &mut a,
            &Request::new(EndpointId::CmcQuotesLatest).with("id", "1"),
            t,
        ) {
            reconcile(&mut a, id, &ok, t);
        }
    }
    a
}

fn benches(c: &mut Criterion) {
    let cmc = warm_cmc();
    let listings = Request::new(EndpointId::CmcListingsLatest)
        .with("limit", "201")
        .with("convert", "USD");
    c.bench_function("decide/cmc_listings", |b| {
        b.iter(|| decide(black_box(&cmc), black_box(&listings), black_box(NOW)))
    });

    let cw = Account::cryptowatch("anon", false);
    let ohlc = Request::new(EndpointId::CwOhlc)
        .with("exchange", "kraken")
        .with("pair", "btceur")
        .with("periods", "60,3600");
    c.bench_function("decide/cw_ohlc", |b| {
        b.iter(|| decide(black_box(&cw), black_box(&ohlc), black_box(NOW)))
    });

    // Reconcile needs a fresh reservation each time; the outcome is parsed once, outside the loop,
    // because the shell parses the body anyway and the parser is measured separately.
    let ok = cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":2}}"#);
    let mut reserved = cmc.clone();
    let id = reserve(&mut reserved, &listings, NOW).expect("fits");
    c.bench_function("reconcile/cmc_success", |b| {
        b.iter_batched_ref(
            || reserved.clone(),
            |a| reconcile(a, black_box(id), black_box(&ok), black_box(NOW)),
            criterion::BatchSize::SmallInput,
        )
    });

    let cw_ok = cw_outcome(
        200,
        r#"{"result":{},"allowance":{"cost":0.015,"remaining":9.985}}"#,
    );
    let mut cw_reserved = cw.clone();
    let cw_id = reserve(&mut cw_reserved, &ohlc, NOW).expect("fits");
    c.bench_function("reconcile/cw_success", |b| {
        b.iter_batched_ref(
            || cw_reserved.clone(),
            |a| reconcile(a, black_box(cw_id), black_box(&cw_ok), black_box(NOW)),
            criterion::BatchSize::SmallInput,
        )
    });

    let body = r#"{"status":{"timestamp":"2023-07-13T19:19:08.554Z","error_code":0,"error_message":null,"elapsed":29,"credit_count":1,"notice":null},"data":{"ETC":[{"id":646}]}}"#;
    c.bench_function("parse/cmc_envelope", |b| {
        b.iter(|| cmc_outcome(200, black_box(body)))
    });
}

criterion_group!(core_benches, benches);
criterion_main!(core_benches);
