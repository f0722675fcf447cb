//! Video details from the Onebound gateway.
//!
//! `cargo run -p douyin --example onebound -- [BASE_URL]` (default: the mock at http://127.0.0.1:8080/onebound).
//! Credentials: `DOUYIN_ONEBOUND_KEY` / `DOUYIN_ONEBOUND_SECRET` (default: the mock's test values).

use std::process::ExitCode;

use douyin::onebound::{credentials, Client, ItemGetVideoParams};

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
        .unwrap_or_else(|| "http://127.0.0.1:8080/onebound".into());
    let key = std::env::var("DOUYIN_ONEBOUND_KEY").unwrap_or_else(|_| "test-key".into());
    let secret = std::env::var("DOUYIN_ONEBOUND_SECRET").unwrap_or_else(|_| "test-secret".into());
    let client: Client = Client::builder()
        .credentials(credentials(key, secret))
        .base_url(base)
        .build()?
        .into();
    let video = client
        .item_get_video(&ItemGetVideoParams::new("7118694749548072205"))
        .await?;
    let item = video.item.unwrap_or_default();
    println!("title:  {}", item.title.unwrap_or_default());
    println!("author: {}", item.nick.unwrap_or_default());
    println!(
        "video:  {}",
        item.video.and_then(|v| v.url).unwrap_or_default()
    );
    Ok(())
}
