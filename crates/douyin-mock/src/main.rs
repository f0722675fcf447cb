//! `douyin-mock`: serves every domain of specs/ on loopback until interrupted; `--list` prints the routes,
//! `--scenario ROUTE=SCENARIO` switches routes to documented failures, `--fixtures DIR` replaces success bodies;
//! `webhook send --to URL --event NAME` pushes signed events to a receiver.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

mod webhook_cli;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_mock::{
    table, MockConfig, MockServer, Scenario, DEFAULT_MAX_BODY_BYTES, SCENARIO_NAMES,
};

/// Exit status of a usage problem (bad arguments, an unknown route or scenario, a bad fixtures folder).
const EXIT_USAGE: u8 = 2;

fn command() -> Command {
    let mut scenarios = String::from("Scenarios:\n");
    for (name, what) in SCENARIO_NAMES {
        scenarios.push_str(&format!("  {name:<17} {what}\n"));
    }
    scenarios.push_str(
        "\nRoutes: DOMAIN/OPERATION (`web/comment_list`), DOMAIN (each of its operations) or `all`; with DOMAIN or \
         `all`, routes the scenario does not fit (pages where nothing paginates) are left alone.\n\n\
         Examples:\n  douyin-mock --port 8080 --scenario web/comment_list=empty\n  \
         douyin-mock --scenario all=rate_limited\n  douyin-mock --scenario onebound/item_get_video='status:503*2'",
    );
    Command::new("douyin-mock")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Serves every domain of the douyin-rs specs on loopback: documented successes, validated requests, failure scenarios")
        .after_long_help(scenarios)
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("PORT")
                .value_parser(clap::value_parser!(u16))
                .default_value("0")
                .help("Port to listen on (0: a free one)"),
        )
        .arg(
            Arg::new("host")
                .long("host")
                .value_name("ADDR")
                .value_parser(clap::value_parser!(IpAddr))
                .default_value("127.0.0.1")
                .help("Address to listen on (loopback unless you mean otherwise)"),
        )
        .arg(
            Arg::new("list")
                .long("list")
                .action(ArgAction::SetTrue)
                .help("Print the routes (domain, method, path, operation) and exit"),
        )
        .arg(
            Arg::new("scenario")
                .long("scenario")
                .value_name("ROUTE=SCENARIO")
                .action(ArgAction::Append)
                .help("Answer ROUTE with a failure scenario (repeatable; later ones win; see --help)"),
        )
        .arg(
            Arg::new("fixtures")
                .long("fixtures")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Success bodies from DIR: <operation>.json or <domain>/<operation>.json"),
        )
        .arg(
            Arg::new("remote_media")
                .long("remote-media")
                .action(ArgAction::SetTrue)
                .help("Leave media addresses (video, pictures, music) as documented instead of pointing them at this mock's /media/ files"),
        )
        .arg(
            Arg::new("max_body_bytes")
                .long("max-body-bytes")
                .value_name("BYTES")
                .value_parser(clap::value_parser!(usize))
                .help(format!(
                    "Refuse request bodies above BYTES with HTTP 413 [default: {DEFAULT_MAX_BODY_BYTES}]"
                )),
        )
        .subcommand(webhook_cli::command())
}

/// `--list`: one line per route.
fn list() {
    println!("{:<14} {:<6} {:<45} OPERATION", "DOMAIN", "METHOD", "PATH");
    for d in table::domains() {
        for o in d.operations {
            println!(
                "{:<14} {:<6} {:<45} {}",
                d.name,
                o.method,
                format!("{}{}", d.prefix, o.path),
                o.name
            );
        }
    }
}

/// What one `--scenario ROUTE=SCENARIO` asks for.
struct Setting {
    /// The routes it names, as (domain, operation).
    routes: Vec<(&'static str, &'static str)>,
    /// Whether it names one route (which the scenario must then fit) rather than a domain or `all`.
    explicit: bool,
    scenario: Scenario,
}

/// Parses `ROUTE=SCENARIO`.
fn parse_scenario(text: &str) -> Result<Setting, String> {
    let (route, scenario) = text.split_once('=').ok_or_else(|| {
        format!(
            "--scenario {text}: give ROUTE=SCENARIO (`web/comment_list=empty`, `all=rate_limited`)"
        )
    })?;
    let scenario: Scenario = scenario
        .parse()
        .map_err(|e| format!("--scenario {text}: {e}"))?;
    let domains: Vec<&str> = table::domains().iter().map(|d| d.name).collect();
    let unknown_domain = |d: &str| {
        format!(
            "--scenario {text}: no domain `{d}`; domains: {}",
            domains.join(", ")
        )
    };
    let (routes, explicit) = match route.split_once('/') {
        _ if route == "all" => (
            table::domains()
                .iter()
                .flat_map(|d| d.operations.iter().map(|o| (d.name, o.name)))
                .collect(),
            false,
        ),
        Some((d, op)) => {
            let d = table::domain(d).ok_or_else(|| unknown_domain(d))?;
            let o = d.operation(&op.replace('-', "_")).ok_or_else(|| {
                let ops: Vec<&str> = d.operations.iter().map(|o| o.name).collect();
                format!(
                    "--scenario {text}: {} has no operation `{op}`; operations: {}",
                    d.name,
                    ops.join(", ")
                )
            })?;
            (vec![(d.name, o.name)], true)
        }
        None => {
            let d = table::domain(route).ok_or_else(|| unknown_domain(route))?;
            (
                d.operations.iter().map(|o| (d.name, o.name)).collect(),
                false,
            )
        }
    };
    Ok(Setting {
        routes,
        explicit,
        scenario,
    })
}

fn config(m: &ArgMatches) -> Result<MockConfig, String> {
    let mut config = MockConfig::default()
        .port(m.get_one::<u16>("port").copied().unwrap_or(0))
        .host(
            m.get_one::<IpAddr>("host")
                .copied()
                .unwrap_or(MockConfig::default().host),
        );
    // Offline downloads by default: a downloader pointed at the mock fetches its files, not the CDN's.
    config = config.local_media(!m.get_flag("remote_media"));
    if let Some(bytes) = m.get_one::<usize>("max_body_bytes") {
        config = config.max_body_bytes(*bytes);
    }
    if let Some(dir) = m.get_one::<PathBuf>("fixtures") {
        config = config
            .fixtures(dir)
            .map_err(|e| format!("--fixtures: {e}"))?;
    }
    Ok(config)
}

/// Switches the routes `--scenario` names; returns one line per setting for the banner.
fn set_scenarios(server: &MockServer, m: &ArgMatches) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for text in m.get_many::<String>("scenario").into_iter().flatten() {
        let Setting {
            routes,
            explicit,
            scenario,
        } = parse_scenario(text)?;
        let mut set = 0;
        for (d, o) in routes {
            match server.try_set_scenario(d, o, scenario.clone()) {
                Ok(()) => set += 1,
                Err(e) if explicit => return Err(format!("--scenario {text}: {e}")),
                Err(_) => {}
            }
        }
        if set == 0 {
            return Err(format!(
                "--scenario {text}: the scenario fits none of those routes"
            ));
        }
        lines.push(format!(
            "  {text} ({set} route{})",
            if set == 1 { "" } else { "s" }
        ));
    }
    Ok(lines)
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

#[tokio::main]
async fn main() -> ExitCode {
    let m = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    if let Some(("webhook", sub)) = m.subcommand() {
        return webhook_cli::run(sub).await;
    }
    if m.get_flag("list") {
        list();
        return ExitCode::SUCCESS;
    }
    let config = match config(&m) {
        Ok(c) => c,
        Err(e) => return usage(&e),
    };
    let (host, port) = (config.host, config.port);
    let server = match MockServer::try_start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("douyin-mock: cannot listen on {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let scenarios = match set_scenarios(&server, &m) {
        Ok(lines) => lines,
        Err(e) => return usage(&e),
    };
    if !host.is_loopback() {
        eprintln!(
            "douyin-mock: listening on {host}, not loopback: anyone who reaches it can use it"
        );
    }
    for d in table::domains() {
        println!("{:<14} {}", d.name, server.base_url(d.name));
    }
    println!();
    println!("credentials accepted:");
    for (name, value) in &server.config().credentials {
        println!("  {name:<13} {value}");
    }
    println!("  (any other credential: any non-empty value)");
    if !scenarios.is_empty() {
        println!("scenarios:");
        for line in scenarios {
            println!("{line}");
        }
    }
    let fixtures = &server.config().success_bodies;
    if !fixtures.is_empty() {
        println!("success bodies from --fixtures:");
        for (d, o) in fixtures.keys() {
            println!("  {d}/{o}");
        }
    }
    if server.config().local_media {
        println!(
            "media addresses point at http://{}/media/ (--remote-media: as documented)",
            server.addr()
        );
    }
    println!("serving until interrupted");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
