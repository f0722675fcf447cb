//! X-Bogus signing of the query douyin-web really sends, and a full `aweme_post` request against the loopback mock
//! (in a child process) with one reused client: sign + send + receive + decode, against the same request with the
//! decode skipped and against plain reqwest fetching the same pre-signed URL. Figures: docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use douyin_bench::{web_client, MockProcess};
use douyin_web::{AwemePostParams, XBogusSigner};
use douyin_xbogus::XBogus;
use md5::{Digest, Md5};

const SEC_USER_ID: &str =
    "MS4wLjABAAAAW9FWcqS7RdQAWPd2AA5fL_ilmqsIFUCQ_Iym6Yh9_cUa6ZRqVLjVQSUjlHrfXY1Y";
const TS: u32 = 1_711_711_568;

/// The query (without `X-Bogus`), user agent and cookie douyin-web sends for `aweme_post`.
/// (The mock's own request log is in the other process: the client sends once to a local listener instead.)
fn recorded_request(rt: &tokio::runtime::Runtime) -> (String, String, String) {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let capture = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut len = 0;
            while !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                len += sock.read(&mut buf[len..]).await.unwrap();
            }
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}")
                .await;
            String::from_utf8_lossy(&buf[..len]).into_owned()
        });
        let local = web_client(&format!("http://{addr}/web"));
        let _ = local.aweme_post(&AwemePostParams::new(SEC_USER_ID)).await;
        let head = capture.await.unwrap();
        let target = head.split(' ').nth(1).unwrap().to_owned();
        let query = target.split_once('?').unwrap().1;
        let query = query.rsplit_once("&X-Bogus=").map_or(query, |(q, _)| q).to_owned();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        (query, header("user-agent"), header("cookie"))
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = MockProcess::start(Path::new(env!("CARGO_BIN_EXE_douyin-bench-mock")), &[]);
    let client = web_client(&mock.web_base);
    let (query, ua, cookie) = recorded_request(&rt);
    eprintln!("aweme_post query: {} bytes", query.len());

    // Signing alone, on the query the client sends.
    let x = XBogus::default();
    let ua_signer = x.for_user_agent(ua.as_bytes());
    let runtime_signer = XBogusSigner::default().with_clock(|| TS);
    let mut g = c.benchmark_group(format!("sign/aweme_post query ({} bytes)", query.len()));
    g.throughput(Throughput::Elements(1));
    g.bench_function("XBogus::sign", |b| {
        b.iter(|| {
            x.sign(
                black_box(query.as_bytes()),
                b"",
                black_box(ua.as_bytes()),
                TS,
            )
        })
    });
    g.bench_function("UaSigner::sign (user agent part cached)", |b| {
        b.iter(|| ua_signer.sign(black_box(query.as_bytes()), b"", TS))
    });
    g.bench_function("XBogusSigner::signature (douyin-web runtime)", |b| {
        b.iter(|| runtime_signer.signature(black_box(&query), b"", black_box(&ua)))
    });
    g.bench_function("MD5(MD5(query)) only", |b| {
        b.iter(|| Md5::digest(Md5::digest(black_box(query.as_bytes()))))
    });
    g.finish();

    // The "typical ~600-char web query": the same query cut to 600 bytes.
    let q600 = &query.as_bytes()[..600];
    let mut g = c.benchmark_group("sign/600-byte query");
    g.throughput(Throughput::Elements(1));
    g.bench_function("UaSigner::sign (user agent part cached)", |b| {
        b.iter(|| ua_signer.sign(black_box(q600), b"", TS))
    });
    g.bench_function("MD5(MD5(query)) only", |b| {
        b.iter(|| Md5::digest(Md5::digest(black_box(q600))))
    });
    g.finish();

    // A full request with one reused client (connection kept alive).
    let params = AwemePostParams::new(SEC_USER_ID);
    let first = rt
        .block_on(client.aweme_post(&params))
        .expect("aweme_post against the mock");
    assert!(first.aweme_list.is_some_and(|l| !l.is_empty()));
    let signed_url = {
        let sig = runtime_signer.signature(&query, b"", &ua);
        format!(
            "{}/aweme/v1/web/aweme/post/?{query}&X-Bogus={}",
            mock.web_base,
            sig.as_str()
        )
    };
    let referer = format!("https://www.douyin.com/user/{SEC_USER_ID}");
    let http = reqwest::Client::new();
    let raw = rt.block_on(async {
        let r = http
            .get(&signed_url)
            .header("user-agent", &ua)
            .header("cookie", &cookie)
            .header("referer", &referer)
            .send()
            .await
            .unwrap();
        r.bytes().await.unwrap()
    });
    assert!(raw.len() > 1_000_000, "the mock served {} bytes", raw.len());

    let mut g = c.benchmark_group("request/aweme_post (1.17 MB) via loopback mock");
    g.throughput(Throughput::Elements(1));
    g.bench_function("Client::aweme_post (sign+send+receive+decode)", |b| {
        b.iter(|| rt.block_on(client.aweme_post(black_box(&params))).unwrap())
    });
    g.bench_function("same request, body as text (no decode)", |b| {
        b.iter(|| {
            let req = params.to_request().unwrap();
            rt.block_on(client.core().send_text(req)).unwrap()
        })
    });
    g.bench_function("reqwest GET of the signed URL, bytes (baseline)", |b| {
        b.iter(|| {
            rt.block_on(async {
                http.get(&signed_url)
                    .header("user-agent", &ua)
                    .header("cookie", &cookie)
                    .header("referer", &referer)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            })
        })
    });
    g.finish();
    drop(mock);
}

criterion_group!(benches, bench);
criterion_main!(benches);
