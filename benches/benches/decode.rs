//! Decoding and encoding the real 1.17 MB `aweme/post` capture with douyin-web's generated (lossless) types, against
//! baselines measured in the same run: `serde_json::Value`, the same types with unknown fields skipped (generated
//! visitor, and serde derive), the same types with a `#[serde(flatten)]` map, and `IgnoredAny` (scan only).
//! Figures and what limits them: docs/performance.md.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use douyin_bench::{
    aweme_post_fixture, before_drift, derive_flatten, derive_ignoring, visitor_ignoring,
};
use douyin_core::decode::decode_body;
use douyin_core::lossless::Census;
use douyin_core::{DecodeMode, Domain, Response as _};
use douyin_web::types::AwemePostResponse;
use douyin_web::{ErrorCode, Web};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// Every variant decodes the capture fully (a benchmark of a failing decode would measure nothing useful).
fn check(body: &[u8]) {
    let typed: AwemePostResponse = serde_json::from_slice(body).expect("lossless decode");
    let n = typed.aweme_list.as_ref().map_or(0, Vec::len);
    assert!(n > 0, "no awemes decoded");
    let v: visitor_ignoring::AwemePostResponse =
        serde_json::from_slice(body).expect("visitor_ignoring");
    assert_eq!(v.aweme_list.map_or(0, |l| l.len()), n);
    let d: derive_ignoring::AwemePostResponse =
        serde_json::from_slice(body).expect("derive_ignoring");
    assert_eq!(d.aweme_list.map_or(0, |l| l.len()), n);
    let f: derive_flatten::AwemePostResponse =
        serde_json::from_slice(body).expect("derive_flatten");
    assert_eq!(f.aweme_list.map_or(0, |l| l.len()), n);
    // Lossless: re-encoding gives back the same JSON value.
    let original: Value = serde_json::from_slice(body).unwrap();
    let again: Value = serde_json::from_slice(&serde_json::to_vec(&typed).unwrap()).unwrap();
    assert_eq!(
        strip_nulls(original),
        strip_nulls(again),
        "re-encoding changed the value"
    );
    let paths = typed.unknown_paths();
    let original: Value = serde_json::from_slice(body).unwrap();
    let unknown_bytes: usize = paths
        .iter()
        .filter_map(|p| lookup(&original, p))
        .map(|v| v.to_string().len())
        .sum();
    if std::env::var_os("CENSUS").is_some() {
        let mut by: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for p in &paths {
            let key: String = p
                .split('[')
                .map(|s| s.split_once(']').map_or(s, |(_, r)| r))
                .collect::<Vec<_>>()
                .join("[]");
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += lookup(&original, p).map_or(0, |v| v.to_string().len());
        }
        let mut v: Vec<_> = by.into_iter().collect();
        v.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
        for (k, (n, b)) in v.iter().take(40) {
            eprintln!("{n:5} {b:6}  {k}");
        }
        eprintln!("distinct unknown paths: {}", v.len());
    }
    eprintln!(
        "aweme/post capture: {} bytes, {n} awemes, {} unknown fields kept ({unknown_bytes} bytes of their values, \
         re-encoded)",
        body.len(),
        paths.len()
    );
}

/// The value at a census path (`.aweme_list[0].video.new_field`).
fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path.split('.').skip(1) {
        let (name, indices) = seg.split_once('[').map_or((seg, ""), |(n, rest)| (n, rest));
        cur = cur.get(name)?;
        for i in indices.split('[').filter(|s| !s.is_empty()) {
            cur = cur.get(i.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(cur)
}

/// Lossless comparison treats `null` and absent as equal (docs/design.md).
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// `T` decoded from `body` at both entry points: `NAME/text` and `NAME/slice`.
fn variant<T: DeserializeOwned>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, body: &[u8]) {
    g.bench_function(format!("{name}/text"), |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(body)).unwrap();
            serde_json::from_str::<T>(text).unwrap()
        })
    });
    g.bench_function(format!("{name}/slice"), |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(body)).unwrap())
    });
}

fn sdk_decode(body: &[u8], mode: DecodeMode) -> AwemePostResponse {
    decode_body::<AwemePostResponse, ErrorCode>(
        200,
        "application/json",
        body,
        <Web as Domain>::ENVELOPE,
        &[],
        mode,
    )
    .unwrap()
}

/// The capture with every `"digg_count":N` (one per aweme, in `statistics`) turned into `N.5`: the same bytes but
/// one float where an integer belongs in each aweme.
fn drifted_page(body: &[u8]) -> Vec<u8> {
    const KEY: &[u8] = b"\"digg_count\":";
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        let value = &rest[at + KEY.len()..];
        let spaces = value.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let digits = value[spaces..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = at + KEY.len() + spaces + digits;
        out.extend_from_slice(&rest[..end]);
        out.extend_from_slice(b".5");
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    let page = sdk_decode(&out, DecodeMode::Tolerant);
    let awemes = page.aweme_list.as_ref().map_or(0, Vec::len);
    assert_eq!(page.drift().len(), 1, "{:?}", page.drift());
    assert_eq!(page.drift()[0].count, awemes, "one drift per aweme");
    out
}

fn decode(c: &mut Criterion) {
    let body = aweme_post_fixture();
    check(&body);
    let body = body.as_slice();

    // Every typed variant and Value at both entry points: `text` (one UTF-8 check of the body, then
    // `serde_json::from_str`, what `douyin_core::decode_body` does) and `slice` (`serde_json::from_slice`, what
    // `reqwest::Response::json` does; serde_json then validates each string it copies out).
    let mut g = c.benchmark_group("decode/aweme-post");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("sdk decode_body (lossless)", |b| {
        b.iter(|| {
            decode_body::<AwemePostResponse, ErrorCode>(
                200,
                "application/json",
                black_box(body),
                <Web as Domain>::ENVELOPE,
                &[],
                DecodeMode::Tolerant,
            )
            .unwrap()
        })
    });
    g.bench_function("sdk decode_body (strict)", |b| {
        b.iter(|| sdk_decode(black_box(body), DecodeMode::Strict))
    });
    // Today's target: within 5 % of the decoder this replaced (strict, unboxed, inline unknown-field store), entered
    // the same way decode_body did (one UTF-8 check, then from_str).
    g.bench_function("before drift tolerance (strict, unboxed)", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(body)).unwrap();
            serde_json::from_str::<before_drift::AwemePostResponse>(text).unwrap()
        })
    });
    // One drifted field per aweme (a float where an integer belongs): target ≥ 0.8× the clean page.
    let drifted = drifted_page(body);
    g.bench_function("sdk decode_body (tolerant), one misfit per aweme", |b| {
        b.iter(|| sdk_decode(black_box(&drifted), DecodeMode::Tolerant))
    });
    variant::<AwemePostResponse>(&mut g, "lossless", body);
    variant::<visitor_ignoring::AwemePostResponse>(&mut g, "ignoring (generated visitor)", body);
    variant::<derive_ignoring::AwemePostResponse>(&mut g, "ignoring (serde derive)", body);
    variant::<derive_flatten::AwemePostResponse>(&mut g, "flatten map (serde derive)", body);
    variant::<Value>(&mut g, "Value", body);
    g.bench_function("IgnoredAny (scan only)", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body)).unwrap())
    });
    g.bench_function("UTF-8 check of the body alone", |b| {
        b.iter(|| std::str::from_utf8(black_box(body)).is_ok())
    });
    g.finish();

    let typed: AwemePostResponse = serde_json::from_slice(body).unwrap();
    let value: Value = serde_json::from_slice(body).unwrap();
    let mut g = c.benchmark_group("encode/aweme-post");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("lossless typed to_vec", |b| {
        b.iter(|| serde_json::to_vec(black_box(&typed)).unwrap())
    });
    g.bench_function("Value to_vec", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
