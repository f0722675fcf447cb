//! The `douyin` command-line tool as a library (the `douyin` binary calls [`main`]; the fuzz targets use [`config`]):
//! every operation of every douyin-rs spec on the command line, plus capture checks and X-Bogus tools.
//!
//! ```text
//! douyin <domain> <operation> --<param> <value> …   call an operation; prints the decoded response as JSON
//! douyin <domain> <operation> … --all-pages          every item of every page, one JSON value per line
//! douyin check-capture <domain> <operation> <file|-> decode a captured body and report what the spec misses
//! douyin xbogus sign … | decode VALUE                X-Bogus signatures
//! douyin abogus sign … | decode VALUE                a_bogus signatures
//! douyin resolve TEXT                                what a share link or share text points at
//! douyin download LINK|ID|- … [--user|--favorites|--mix LINK] [--from-json FILE]   videos, image posts, music
//! douyin session new                                 a douyin.com web session from nothing: its Cookie header
//! douyin live record LINK [--quality Q] [--format flv|hls] [--segment-time S] [--wait]   record a live room
//! douyin serve [--listen ADDR] [--api-key KEY] [--cors ORIGIN] [--mcp]   every operation over HTTP (and MCP), with its OpenAPI document
//! douyin mcp                                         every operation as an MCP tool over stdio
//! ```
//!
//! The command tree, flags and help of the domain commands are generated from the specs (`src/generated/`, by
//! `cargo xtask codegen`); the generated code reaches this crate only through its `Host` trait, which the run's
//! context implements (`host.rs`) with credentials (environment or config file, never flags), output, pagination and
//! errors, and `douyin serve` (`serve/`) with a host of its own. What only one domain has (`resolve`, `download`,
//! `session`, `live` of web; `auth` of the Open Platform) lives in
//! `src/domains/<domain>/`, plugged in through one table of customizations (`domains/mod.rs`, generated for the
//! domains the specs have). Logs go to
//! stderr, filtered by `RUST_LOG`. Exit status: 0 success, 1 failure (API error, transport, decode, failed check), 2
//! usage (bad arguments, missing credential, bad config file), 130 interrupted.

mod abogus;
mod capture;
mod clients;
pub mod config;
mod context;
mod customize;
mod domains;
#[rustfmt::skip]
pub mod generated;
mod hooks;
mod host;
mod identities;
mod output;
mod pages;
pub mod seam;
mod serve;
mod support;
mod vectors;
mod xbogus;

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_core::limit::ReadLimitedError;
use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, ErrorCode, DEFAULT_MAX_BODY_BYTES};

use crate::capture::Report;
use crate::context::Ctx;
use crate::generated::{CommonArgs, WithOperations};
pub use crate::serve::router_from_args as serve_router;
pub use crate::support::CliError;

fn root() -> Command {
    let mut root = Command::new("douyin")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The Douyin APIs on the command line: every operation of every spec, capture checks, X-Bogus")
        .long_about(
            "The Douyin APIs on the command line: `douyin <domain> <operation> --<param> <value> …` calls any \
             operation of any spec and prints the decoded response as JSON (pretty on a terminal, compact \
             otherwise); `--all-pages` follows pagination and prints one item per line.\n\n\
             Credentials come from the environment or a config file, never from flags: see `douyin <domain> \
             --help`.\n\n\
             Exit status: 0 success, 1 failure (API error, transport, decode, failed check), 2 usage (bad \
             arguments, missing credential, bad config file), 130 interrupted.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true);
    for domain in generated::commands::<Ctx>() {
        let creds = generated::credentials(domain.get_name()).unwrap_or_default();
        let help = config::credentials_help(domain.get_name(), creds);
        root = root.subcommand(
            hooks::extend(domain)
                .args(CommonArgs::args())
                .args(identities::args())
                .after_long_help(help),
        );
    }
    root.subcommand(
        Command::new("check-capture")
            .about("Decode a captured response with an operation's type; report decode errors, undocumented fields, round trip")
            .long_about(
                "Decodes a captured response body with the operation's generated response type and reports (1) decode \
                 errors with their JSON paths, (2) every field the spec does not document, by JSON path (array \
                 indices as []), with its JSON types, count and an example value, (3) values that do not fit their \
                 field's type (drift: kept raw, listed by path; --strict fails on the first), (4) duplicate keys, \
                 (5) whether re-encoding gives back the same JSON (null and absent count as equal). Exit status 0 when the body decodes losslessly, 1 \
                 otherwise.",
            )
            .arg(Arg::new("domain").required(true).value_parser(clap::builder::PossibleValuesParser::new(generated::DOMAINS)))
            .arg(Arg::new("operation").required(true).help("Operation name (`comment-list` or `comment_list`)"))
            .arg(Arg::new("file").required(true).help("The captured body, or `-` for stdin"))
            .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).help("Machine-readable report"))
            .arg(Arg::new("strict").long("strict").action(ArgAction::SetTrue).help(
                "Fail on the first value that does not fit its type, instead of keeping it and listing it as drift",
            ))
            .arg(
                Arg::new("max_body_bytes")
                    .long("max-body-bytes")
                    .value_name("BYTES")
                    .value_parser(clap::value_parser!(u64).range(1..))
                    .help(format!(
                        "Refuse a capture larger than this [default: {DEFAULT_MAX_BODY_BYTES}, the library's response \
                         body limit]"
                    )),
            ),
    )
    .subcommand(xbogus::command())
    .subcommand(abogus::command())
    .subcommands(hooks::commands(&CommonArgs::args()))
    .subcommand(serve::command(CommonArgs::args()))
    .subcommand(serve::mcp_command(CommonArgs::args()))
}

/// Reads `file` (`-`: stdin) up to `limit` bytes; a larger input is an error, not a memory hog.
fn read_capped(file: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    let shown = if file == "-" { "stdin" } else { file };
    let read = if file == "-" {
        douyin_core::read_limited(std::io::stdin().lock(), limit)
    } else {
        std::fs::File::open(file)
            .map_err(ReadLimitedError::Io)
            .and_then(|f| douyin_core::read_limited(f, limit))
    };
    read.map_err(|e| match e {
        ReadLimitedError::TooLarge(_) => CliError::failure(format!(
            "{shown} is larger than {limit} bytes (--max-body-bytes); nothing was decoded"
        )),
        ReadLimitedError::Io(e) => CliError::failure(format!("{shown}: {e}")),
    })
}

/// `check-capture`'s work on the registry of the chosen domain.
struct CheckCapture<'a> {
    op: &'a str,
    body: &'a [u8],
    mode: DecodeMode,
}

impl WithOperations for CheckCapture<'_> {
    type Output = Result<Report, CliError>;

    fn with<C: ErrorCode>(
        self,
        domain: &'static str,
        operations: &'static [OperationEntry<C>],
    ) -> Self::Output {
        capture::check(domain, operations, self.op, self.body, self.mode)
    }
}

fn check_capture(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let (domain, op, file) = (get("domain"), get("operation"), get("file"));
    let limit = m
        .get_one::<u64>("max_body_bytes")
        .copied()
        .unwrap_or(DEFAULT_MAX_BODY_BYTES);
    let body = read_capped(file, limit)?;
    let mode = if m.get_flag("strict") {
        DecodeMode::Strict
    } else {
        DecodeMode::Tolerant
    };
    let report = generated::with_operations(
        domain,
        CheckCapture {
            op,
            body: &body,
            mode,
        },
    )
    .unwrap_or_else(|| {
        Err(CliError::usage(format!(
            "no domain `{domain}`; domains: {}",
            generated::DOMAINS.join(", ")
        )))
    })?;
    let shown = if file == "-" { "stdin" } else { file };
    if m.get_flag("json") {
        support::write_stdout(&report.to_json().to_string())?;
    } else {
        support::write_stdout(&report.text(shown))?;
    }
    if report.lossless() {
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{shown} does not decode losslessly as {domain} {}",
            report.operation
        )))
    }
}

async fn run(matches: ArgMatches) -> Result<(), CliError> {
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| CliError::usage("a command is required"))?;
    match name {
        "check-capture" => return check_capture(sub),
        "xbogus" => return xbogus::run(sub),
        "abogus" => return abogus::run(sub),
        "serve" => return serve::run(sub).await,
        "mcp" => return serve::run_mcp(sub).await,
        _ => {}
    }
    if let Some(work) = hooks::run_command(name, sub) {
        return work.await;
    }
    let domain = name;
    let (op, leaf) = sub
        .subcommand()
        .ok_or_else(|| CliError::usage(format!("{domain}: an operation is required")))?;
    let common = CommonArgs::from_matches(leaf);
    if let Some(work) = hooks::run_subcommand(domain, op, leaf, &common) {
        return work.await;
    }
    let mut ctx = Ctx::load(&common)?;
    ctx.crawl = identities::CrawlOptions::from_matches(leaf)?;
    pages::open_state(&mut ctx, leaf).await?;
    generated::run(&ctx, domain, op, leaf).await
}

/// Logs (the runtime's `tracing` events) go to stderr, filtered by `RUST_LOG` (default: warnings); this is the only
/// place they go.
fn init_logs() {
    let filter = match tracing_subscriber::EnvFilter::try_from_default_env() {
        Ok(f) => f,
        Err(e) => {
            if std::env::var_os("RUST_LOG").is_some() {
                eprintln!("douyin: RUST_LOG ignored ({e}); logging warnings");
            }
            tracing_subscriber::EnvFilter::new("warn")
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The `douyin` command: parses the arguments, runs the command, prints its error; the exit status.
pub fn main() -> ExitCode {
    init_logs();
    let matches = match root().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(support::EXIT_USAGE));
        }
    };
    // A command runs on one thread; `serve` answers many callers at once, on every core (the operations' futures are
    // `Send`; only download jobs keep to single-threaded runtimes of their own).
    let mut builder = if matches.subcommand_name() == Some("serve") {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.line());
            ExitCode::from(e.exit)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_tree_is_consistent() {
        super::root().debug_assert();
    }
}
