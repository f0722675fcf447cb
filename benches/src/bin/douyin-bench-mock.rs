//! The mock server for the benchmarks, in its own process: `douyin-bench-mock [pages PAGES PAGE_SIZE]`.
//!
//! Prints the web base URL on the first line of stdout, then serves until its stdin closes (the parent exits or drops
//! its `MockProcess`). With `pages`, web `comment_list` answers PAGES pages of PAGE_SIZE synthetic comments.

use std::io::Read;

use douyin_mock::{MockServer, Scenario};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let server = MockServer::start().await;
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {}
        ["pages", pages, page_size] => server.set_scenario(
            "web",
            "comment_list",
            Scenario::Pages {
                pages: pages.parse().expect("PAGES"),
                page_size: page_size.parse().expect("PAGE_SIZE"),
            },
        ),
        _ => panic!("usage: douyin-bench-mock [pages PAGES PAGE_SIZE]"),
    }
    println!("{}", server.base_url("web"));
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .expect("stdin watcher");
    drop(server);
}
