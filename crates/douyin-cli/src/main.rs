//! `douyin`: every operation of every douyin-rs spec on the command line, plus capture checks and X-Bogus tools.
//!
//! ```text
//! douyin <domain> <operation> --<param> <value> …   call an operation; prints the decoded response as JSON
//! douyin <domain> <operation> … --all-pages          every item of every page, one JSON value per line
//! douyin check-capture <domain> <operation> <file|-> decode a captured body and report what the spec misses
//! douyin xbogus sign … | decode VALUE                X-Bogus signatures
//! ```
//!
//! The command tree, flags and help of the domain commands are generated from the specs (`src/generated/`, by
//! `cargo xtask codegen`); this crate adds credentials (environment or config file, never flags), output, pagination
//! and the tools. Exit status: 0 success, 1 failure (API error, transport, decode, failed check), 2 usage (bad
//! arguments, missing credential, bad config file), 130 interrupted.

mod capture;
mod clients;
mod config;
#[rustfmt::skip]
mod generated;
mod output;
mod pages;
mod support;
mod xbogus;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::config::Config;
use crate::support::{CliError, Ctx};

/// Flags every domain command takes (propagated to its operations).
fn common_args() -> Vec<Arg> {
    vec![
        Arg::new("config")
            .long("config")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .global(true)
            .help_heading("Common options")
            .help("Config file with credentials [default: $XDG_CONFIG_HOME/douyin/config.toml]"),
        Arg::new("base_url")
            .long("base-url")
            .value_name("URL")
            .global(true)
            .help_heading("Common options")
            .help("Send requests to this base URL (a mock server, a proxy) instead of the service"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .action(ArgAction::SetTrue)
            .global(true)
            .help_heading("Common options")
            .help("Say on stderr what is sent where and where credentials come from (never their values)"),
        Arg::new("pretty")
            .long("pretty")
            .action(ArgAction::SetTrue)
            .conflicts_with("compact")
            .global(true)
            .help_heading("Common options")
            .help("Indented JSON [default on a terminal]"),
        Arg::new("compact")
            .long("compact")
            .action(ArgAction::SetTrue)
            .global(true)
            .help_heading("Common options")
            .help("One-line JSON [default when stdout is not a terminal]"),
        Arg::new("max_attempts")
            .long("max-attempts")
            .value_name("N")
            .value_parser(clap::value_parser!(u32).range(1..))
            .default_value("3")
            .global(true)
            .help_heading("Common options")
            .help("Attempts per request, retries of retryable failures included"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(f64))
            .default_value("30")
            .global(true)
            .help_heading("Common options")
            .help("Time allowed for one attempt"),
    ]
}

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
    for domain in generated::commands() {
        root = root.subcommand(domain.args(common_args()));
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
            )),
    )
    .subcommand(xbogus::command())
}

fn check_capture(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let (domain, op, file) = (get("domain"), get("operation"), get("file"));
    let body = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map(|_| b)
            .map_err(|e| CliError::failure(format!("stdin: {e}")))?
    } else {
        std::fs::read(file).map_err(|e| CliError::failure(format!("{file}: {e}")))?
    };
    let mode = if m.get_flag("strict") {
        douyin_core::DecodeMode::Strict
    } else {
        douyin_core::DecodeMode::Tolerant
    };
    let report = generated::check_capture(domain, op, &body, mode)?;
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
        "check-capture" => check_capture(sub),
        "xbogus" => xbogus::run(sub),
        domain => {
            let (op, leaf) = sub
                .subcommand()
                .ok_or_else(|| CliError::usage(format!("{domain}: an operation is required")))?;
            let config = Config::load(
                leaf.get_one::<PathBuf>("config").map(PathBuf::as_path),
                generated::DOMAINS,
                generated::credentials,
            )?;
            let ctx = Ctx::from_matches(leaf, config);
            generated::run(&ctx, domain, op, leaf).await
        }
    }
}

fn main() -> ExitCode {
    let matches = match root().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(support::EXIT_USAGE));
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
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
