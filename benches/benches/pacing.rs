//! The pacing layer's cost on a request it does not hold: the same small request (`hot_search_list`) against the
//! loopback mock (in a child process) from a client without the layer and from one with it (one identity, budgets
//! scaled a million times so no request waits), plus the layer's own step alone (`Pacer::try_take`). Figures:
//! docs/performance.md, section 7.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use douyin_bench::{web_builder, MockProcess};
use douyin_core::Pacer;
use douyin_web::HotSearchListParams;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = MockProcess::start(Path::new(env!("CARGO_BIN_EXE_douyin-bench-mock")), &[]);
    let plain: douyin_web::Client = web_builder(&mock.web_base).build().unwrap().into();
    let paced: douyin_web::Client = web_builder(&mock.web_base)
        .pacing_scale(1e6)
        .build()
        .unwrap()
        .into();
    let params = HotSearchListParams::new();
    for client in [&plain, &paced] {
        rt.block_on(client.hot_search_list(&params))
            .expect("the mock answers");
    }
    let mut g = c.benchmark_group("pacing/hot_search_list");
    g.bench_function("no pacing layer", |b| {
        b.iter(|| {
            rt.block_on(plain.hot_search_list(black_box(&params)))
                .unwrap()
        })
    });
    g.bench_function("pacing layer, unthrottled", |b| {
        b.iter(|| {
            rt.block_on(paced.hot_search_list(black_box(&params)))
                .unwrap()
        })
    });
    g.finish();

    let pacer = Pacer::new(1e9);
    let op = &douyin_web::operations::HOT_SEARCH_LIST;
    c.bench_function("pacing/Pacer::try_take", |b| {
        b.iter(|| pacer.try_take(black_box(0), op))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
