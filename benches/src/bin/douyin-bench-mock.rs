//! The mock server for the benchmarks, in its own process: `douyin-bench-mock [pages PAGES PAGE_SIZE]`.
//!
//! Prints the web base URL on the first line of stdout, then serves until its stdin closes (the parent exits or drops
//! its `MockProcess`). With `pages`, web `comment_list` answers PAGES pages of PAGE_SIZE synthetic comments.

use std::io::Read;
use std::process::ExitCode;

use douyin_mock::{MockServer, Scenario};

const USAGE: &str = "usage: douyin-bench-mock [pages PAGES PAGE_SIZE]";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pages = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => None,
        ["pages", pages, page_size] => match (pages.parse(), page_size.parse()) {
            (Ok(pages), Ok(page_size)) => Some(Scenario::Pages { pages, page_size }),
            _ => {
                eprintln!("error: PAGES and PAGE_SIZE are numbers; {USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("error: {USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = MockServer::start().await;
    if let Some(scenario) = pages {
        server.set_scenario("web", "comment_list", scenario);
    }
    println!("{}", server.base_url("web"));
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .expect("stdin watcher");
    drop(server);
    ExitCode::SUCCESS
}
