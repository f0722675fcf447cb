//! Peak memory while streaming comments: `stream-rss COUNT [PAGE_SIZE]` pulls COUNT web comments (default pages of
//! 50) through `Client::comment_list_stream` from the mock (in a child process, so its request log is not counted)
//! and prints this process's peak resident set (`VmHWM`). Run it for two counts; the peaks should match.

use std::time::Instant;

use douyin_bench::{proc_status_kb, web_client, MockProcess};
use douyin_web::CommentListParams;
use futures::TryStreamExt;

fn main() {
    douyin_bench::serve_if_mock_child();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: u32 = args
        .first()
        .and_then(|a| a.parse().ok())
        .expect("usage: stream-rss COUNT [PAGE_SIZE]");
    let page_size: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let pages = count.div_ceil(page_size);
    let mock = MockProcess::start_self(&["pages", &pages.to_string(), &page_size.to_string()]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let before = proc_status_kb("VmHWM").unwrap_or(0);
    let started = Instant::now();
    let (seen, last_cid) = rt.block_on(async {
        let client = web_client(&mock.web_base);
        let stream = client.comment_list_stream(
            CommentListParams::new("7184732601662344482").count(i64::from(page_size)),
        );
        futures::pin_mut!(stream);
        let mut seen = 0u64;
        let mut last = None;
        while let Some(comment) = stream.try_next().await.expect("streaming comments") {
            seen += 1;
            last = comment.cid;
        }
        (seen, last)
    });
    let elapsed = started.elapsed();
    let hwm = proc_status_kb("VmHWM").unwrap_or(0);
    let rss = proc_status_kb("VmRSS").unwrap_or(0);
    println!(
        "comments={seen} pages={pages} page_size={page_size} last_cid={} elapsed_ms={} \
         comments_per_s={:.0} vm_hwm_before_kb={before} vm_hwm_kb={hwm} vm_rss_kb={rss}",
        last_cid.unwrap_or_default(),
        elapsed.as_millis(),
        seen as f64 / elapsed.as_secs_f64(),
    );
    assert_eq!(seen, u64::from(pages) * u64::from(page_size));
}
