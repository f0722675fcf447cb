//! One page of a video's comments through the Open Platform (`list_comment_stream` follows all pages).
//!
//! `cargo run -p douyin --example open_platform -- [BASE_URL]` (default: the mock at
//! http://127.0.0.1:8080/open-platform). Token: `DOUYIN_ACCESS_TOKEN` (default: the mock's test token).

use std::process::ExitCode;

use douyin::open_platform::{credentials, Client, FixedToken, ListCommentParams};

#[tokio::main]
async fn main() -> ExitCode {
    // One line on stderr and a failure status, like the `douyin` CLI (returning the error from `main` would print
    // its `Debug` form).
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080/open-platform".into());
    let token = std::env::var("DOUYIN_ACCESS_TOKEN").unwrap_or_else(|_| "act.test".into());
    let client: Client = Client::builder()
        .credentials(credentials(FixedToken(token.into())))
        .base_url(base)
        .build()?
        .into();
    let item_id =
        "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T060zdRmYqig357zEBq6CZRp4NVe6qLIJW/V/x1w==";
    let params = ListCommentParams::new("ba253642-0590-40bc-9bdf-9a1334b94059", item_id).count(20);
    let page = Client::list_comment_page(client.list_comment(&params).await?);
    for c in &page.items {
        println!(
            "{}: {}",
            c.nick_name.as_deref().unwrap_or("?"),
            c.content.as_deref().unwrap_or("")
        );
    }
    println!(
        "{} comment(s); more: {}, next cursor: {:?}",
        page.items.len(),
        page.has_more,
        page.next_cursor
    );
    Ok(())
}
