//! Signing throughput on a 715-byte query: `UaSigner::sign` (user agent cached, what the runtime does),
//! `ABogus::sign` (user agent hashed every time, like the reference), the two SM3 passes over the query alone (the
//! floor), and decoding/verifying.
//!
//! With `ABOGUS_REFERENCE_PYTHON=/path/to/python` (a Python with `f2==0.0.1.7` and `gmssl==3.2.2`), the same run
//! then times the reference implementation through `benches/reference.py`, checks it signs the query exactly as
//! this crate does, and prints the ratio (see docs/performance.md).

use std::hint::black_box;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use douyin_abogus::{decode, verify, ABogus, Fingerprint, Stamp};
use serde_json::Value;

const QUERY_LEN: usize = 715;

/// A 715-byte query: the longest vector query (the 775-byte `aweme/post` one, ab-012) cut to 715 bytes; its user
/// agent, fingerprint, options, times and random values.
struct Input {
    query: String,
    user_agent: String,
    fingerprint: String,
    options: [u32; 3],
    stamp: Stamp,
}

fn input() -> Input {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/abogus.json");
    let text = std::fs::read_to_string(path).expect("reading abogus.json");
    let file: Value = serde_json::from_str(&text).expect("parsing abogus.json");
    let longest = file["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| &c["inputs"])
        .max_by_key(|i| i["query"].as_str().map_or(0, str::len))
        .expect("a case");
    let s = |k: &str| longest[k].as_str().expect("a string").to_owned();
    let n = |v: &Value| v.as_u64().expect("an integer");
    let query = s("query");
    assert!(query.len() >= QUERY_LEN && query.is_ascii());
    let options: Vec<u32> = longest["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|v| u32::try_from(n(v)).expect("a u32"))
        .collect();
    let random: Vec<u16> = longest["random_ints"]
        .as_array()
        .expect("random_ints")
        .iter()
        .map(|v| u16::try_from(n(v)).expect("a u16"))
        .collect();
    let start = n(&longest["start_ms"]);
    Input {
        query: query[..QUERY_LEN].to_owned(),
        user_agent: s("user_agent"),
        fingerprint: s("fingerprint"),
        options: options.try_into().expect("three options"),
        // The reference reads the clock twice in the same millisecond when pinned.
        stamp: Stamp::new(
            start,
            start,
            random.try_into().expect("three random values"),
        ),
    }
}

/// The two SM3 passes over the salted query that every signature needs: the floor.
fn sm3_twice(query: &[u8]) -> impl Sized {
    use sm3::{Digest as _, Sm3};
    let inner = Sm3::new()
        .chain_update(query)
        .chain_update(b"cus")
        .finalize();
    Sm3::digest(inner)
}

fn bench(c: &mut Criterion, input: &Input) {
    let (query, ua) = (input.query.as_bytes(), input.user_agent.as_bytes());
    let fp: Fingerprint = input.fingerprint.parse().expect("fingerprint");
    let signer = ABogus::new(input.options, fp);
    let session = signer.for_user_agent(ua);
    let stamp = input.stamp;
    let sig = session.sign(query, b"", stamp);

    let mut g = c.benchmark_group(format!("abogus/{}-byte query", query.len()));
    g.throughput(Throughput::Elements(1));
    g.bench_function("UaSigner::sign", |b| {
        b.iter(|| session.sign(black_box(query), black_box(b""), black_box(stamp)))
    });
    g.bench_function("ABogus::sign", |b| {
        b.iter(|| {
            signer.sign(
                black_box(query),
                black_box(b""),
                black_box(ua),
                black_box(stamp),
            )
        })
    });
    g.bench_function("SM3(SM3(query ‖ salt)) only", |b| {
        b.iter(|| sm3_twice(black_box(query)))
    });
    g.bench_function("decode", |b| b.iter(|| decode(black_box(sig.as_str()))));
    g.bench_function("verify", |b| {
        b.iter(|| {
            verify(
                black_box(query),
                b"",
                black_box(ua),
                black_box(sig.as_str()),
            )
        })
    });
    g.finish();
}

/// This thread's CPU time so far (Linux), which other processes on a busy machine do not inflate.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Calls of `f` per second over about `seconds`: per wall-clock second and per second of CPU time.
fn rate(seconds: f64, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let (mut count, start, cpu_start) = (0u64, Instant::now(), thread_cpu_time());
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        for _ in 0..256 {
            f();
        }
        count += 256;
    }
    let cpu = thread_cpu_time()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    (
        count as f64 / start.elapsed().as_secs_f64(),
        cpu.map(|c| count as f64 / c.as_secs_f64()),
    )
}

/// Times the reference through `benches/reference.py` and this crate for the same span, back to back.
fn compare_with_reference(python: &str, input: &Input) {
    const SECONDS: f64 = 5.0;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/reference.py");
    let job = serde_json::json!({
        "query": input.query,
        "user_agent": input.user_agent,
        "fingerprint": input.fingerprint,
        "options": input.options,
        "start_ms": input.stamp.start_ms,
        "random_ints": input.stamp.random,
        "seconds": SECONDS,
    });
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {python}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(job.to_string().as_bytes())
        .expect("writing the job");
    let out = child.wait_with_output().expect("reference run");
    assert!(
        out.status.success(),
        "reference.py failed: {:?}",
        out.status
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).expect("reference.py output");

    let (query, ua) = (input.query.as_bytes(), input.user_agent.as_bytes());
    let signer = ABogus::new(
        input.options,
        input.fingerprint.parse().expect("fingerprint"),
    );
    let session = signer.for_user_agent(ua);
    let ours = signer.sign(query, b"", ua, input.stamp);
    let same = theirs["signature"].as_str() == Some(ours.as_str());

    let stamp = input.stamp;
    let cached = rate(SECONDS, || {
        black_box(session.sign(black_box(query), b"", stamp));
    });
    let uncached = rate(SECONDS, || {
        black_box(signer.sign(black_box(query), b"", black_box(ua), stamp));
    });
    let floor = rate(SECONDS, || {
        black_box(sm3_twice(black_box(query)));
    });
    let per = |key: &str| theirs[key].as_f64().expect("a rate");
    let (wall, cpu) = (per("per_second"), per("per_cpu_second"));
    println!(
        "\nreference: {} on the {}-byte query, {} signatures in {SECONDS} s: {wall:.0}/s wall, {cpu:.0}/s CPU",
        theirs["reference"].as_str().unwrap_or("?"),
        query.len(),
        theirs["count"],
    );
    println!(
        "same signature for the pinned inputs: {}",
        if same { "yes" } else { "NO" }
    );
    for (name, (our_wall, our_cpu)) in [
        ("UaSigner::sign (user agent cached)", cached),
        (
            "ABogus::sign (user agent hashed each time, like the reference)",
            uncached,
        ),
        ("SM3(SM3(query ‖ salt)) alone, the floor", floor),
    ] {
        let cpu_part = our_cpu.map_or(String::new(), |c| {
            format!("; {c:.0}/s CPU = {:.0}× the reference", c / cpu)
        });
        println!(
            "douyin-abogus {name}: {our_wall:.0}/s wall = {:.0}× the reference{cpu_part}",
            our_wall / wall
        );
    }
    assert!(
        same,
        "the reference signs the bench query differently: {theirs}"
    );
}

fn main() {
    let input = input();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &input);
    c.final_summary();
    if let Ok(python) = std::env::var("ABOGUS_REFERENCE_PYTHON") {
        compare_with_reference(&python, &input);
    }
}
