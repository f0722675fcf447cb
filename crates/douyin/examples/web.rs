//! A user's posts from the douyin.com web API, with a browser session and X-Bogus signing.
//!
//! `cargo run -p douyin --example web -- [BASE_URL]` (default: the mock at http://127.0.0.1:8080/web).
//! Session: `DOUYIN_COOKIE` and `DOUYIN_MS_TOKEN` (default: the mock's test values).

use std::process::ExitCode;

use douyin::web::{builder, AwemePostParams, Client, WebSession, XBogusSigner};

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
        .unwrap_or_else(|| "http://127.0.0.1:8080/web".into());
    let cookie = std::env::var("DOUYIN_COOKIE").unwrap_or_else(|_| "sessionid=test".into());
    let ms_token = std::env::var("DOUYIN_MS_TOKEN").unwrap_or_else(|_| "test-ms-token".into());
    let session = WebSession::with_default_user_agent(cookie).ms_token(ms_token);
    let client: Client = builder(session, XBogusSigner::default())
        .base_url(base)
        .build()?
        .into();
    let sec_user_id = "MS4wLjABAAAA3cQTDOcrCkN7Dl5pwUlLocWgFxCO8RJd3SLA5lkc_ZY";
    let page = client
        .aweme_post(&AwemePostParams::new(sec_user_id))
        .await?;
    for aweme in page.aweme_list.unwrap_or_default().iter().take(3) {
        let likes = aweme
            .statistics
            .as_ref()
            .and_then(|s| s.digg_count)
            .unwrap_or(0);
        println!(
            "{}  {:>8} likes  {}",
            aweme.aweme_id.as_deref().unwrap_or("?"),
            likes,
            aweme.desc.as_deref().unwrap_or("")
        );
    }
    println!(
        "has_more: {:?}, max_cursor: {:?}",
        page.has_more, page.max_cursor
    );
    Ok(())
}
