//! `douyin session new`: a douyin.com web session from nothing (ttwid, msToken, s_v_web_id, webid from their
//! services), printed as a `Cookie` header to store in the config file, `DOUYIN_COOKIE` or a `--cookies` file.

use clap::{Arg, ArgMatches, Command};
use douyin_core::{Credentials, Domain};
use douyin_web::bootstrap::{Bootstrap, MsTokenSource};
use douyin_web::credential_names::COOKIE;
use douyin_web::Web;

use crate::context::Ctx;
use crate::generated::CommonArgs;
use crate::support::{self, CliError};

/// The command's name.
pub const COMMAND: &str = "session";

/// The `session` command.
pub fn command(common: Vec<Arg>) -> Command {
    Command::new(COMMAND)
        .about("Start a douyin.com web session from nothing and print its cookie")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("new")
                .about("Obtain ttwid, msToken and s_v_web_id from their services; print the Cookie header to store")
                .long_about(
                    "Registers a ttwid, asks the token service for an msToken (a generated one when it refuses, \
                     as browsers without its report get), generates s_v_web_id (verifyFp) and asks for a webid, \
                     then prints the session's Cookie header on stdout: store it as the web cookie (config file \
                     `cookie` under [web], DOUYIN_COOKIE, or a file for --cookies). A configured cookie is kept \
                     and its tokens replaced. The user agent is the configured one (it must be the one later \
                     calls send). stderr says where the msToken came from and when the tokens expire; run it \
                     again then. The webid is not a cookie and is not printed. An anonymous session reads public \
                     data; what needs a signed-in account still needs a browser's cookie.",
                )
                .args(common),
        )
}

/// Runs `session new`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let (_, leaf) = m
        .subcommand()
        .ok_or_else(|| CliError::usage("session: `new` is required"))?;
    let ctx = Ctx::load(&CommonArgs::from_matches(leaf))?;
    let domain = Web::NAME;
    // A configured cookie is kept (its tokens replaced); the import error names the line or pair at fault, never a
    // value.
    let values = |name: &'static str| ctx.config.credential(domain, name).cloned();
    let session = douyin_web::session::start_from_values(&values)
        .map_err(|e| CliError::usage(format!("the configured {domain} session: {e}")))?;
    // The settings every client of the domain takes (base URL, retries, timeout, body limit).
    let bootstrap = Bootstrap::new().settings(ctx.client_settings(domain)?);
    let (session, outcome) = bootstrap
        .run(session)
        .await
        .map_err(|e| CliError::failure(e.to_string()))?;
    match &outcome.ms_token {
        MsTokenSource::Issued => eprintln!("msToken: issued by the token service"),
        MsTokenSource::Generated { reason } => eprintln!("msToken: generated ({reason})"),
        _ => {}
    }
    if let Some(at) = outcome.expires {
        let left = at
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default()
            .as_secs();
        let when = match left {
            0..=3599 => format!("{} minutes", left / 60),
            3600..=172_799 => format!("{} hours", left / 3600),
            _ => format!("{} days", left / 86_400),
        };
        eprintln!("the issued tokens expire in about {when}; run `douyin session new` again then");
    }
    let cookie = session
        .get(COOKIE)
        .await
        .map_err(|e| CliError::failure(format!("the new session has no {COOKIE}: {e}")))?;
    support::write_stdout(cookie.expose())
}
