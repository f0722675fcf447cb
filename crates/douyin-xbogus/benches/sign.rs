//! Signing throughput: `XBogus::sign`, `UaSigner::sign`, and the query's
//! double MD5 alone as the floor the signature cannot go below.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use douyin_xbogus::XBogus;
use md5::{Digest, Md5};

/// The first shared vector: a real captured web query and its user agent.
fn first_vector() -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/xbogus.json");
    let text = std::fs::read_to_string(&path).expect("reading xbogus.json");
    let cases: serde_json::Value = serde_json::from_str(&text).expect("parsing xbogus.json");
    let first = &cases[0];
    (
        first["query"].as_str().unwrap().to_owned(),
        first["user_agent"].as_str().unwrap().to_owned(),
    )
}

fn bench(c: &mut Criterion) {
    let (query, ua) = first_vector();
    let (query, ua) = (query.as_bytes(), ua.as_bytes());
    let x = XBogus::default();
    let session = x.for_user_agent(ua);
    let ts = 1_711_711_568;

    let mut g = c.benchmark_group(format!("sign/{}-byte query", query.len()));
    g.throughput(Throughput::Elements(1));
    g.bench_function("XBogus::sign", |b| {
        b.iter(|| {
            x.sign(
                black_box(query),
                black_box(b""),
                black_box(ua),
                black_box(ts),
            )
        })
    });
    g.bench_function("UaSigner::sign", |b| {
        b.iter(|| session.sign(black_box(query), black_box(b""), black_box(ts)))
    });
    g.bench_function("MD5(MD5(query)) only", |b| {
        b.iter(|| Md5::digest(Md5::digest(black_box(query))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
