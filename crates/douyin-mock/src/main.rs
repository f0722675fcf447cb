//! `cargo run -p douyin-mock -- [--port PORT]`: serves every domain of specs/ on 127.0.0.1 until interrupted.

use std::process::ExitCode;

use douyin_mock::{table, MockConfig, MockServer};

fn usage() -> ExitCode {
    eprintln!("usage: douyin-mock [--port PORT]   (PORT 0 or absent: a free port)");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => 0,
        ["--port", p] => match p.parse::<u16>() {
            Ok(p) => p,
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let server = match MockServer::try_start(MockConfig::default().port(port)).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("douyin-mock: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for d in table::domains() {
        println!("{:<14} {}", d.name, server.base_url(d.name));
    }
    println!();
    println!("credentials accepted:");
    for (name, value) in &server.config().credentials {
        println!("  {name:<13} {value}");
    }
    println!("  (any other credential: any non-empty value)");
    println!("serving until interrupted");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
