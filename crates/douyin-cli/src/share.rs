//! `douyin resolve TEXT`: what a share link, a `v.douyin.com` short link or share-sheet text points at, as JSON.

use clap::{Arg, ArgMatches, Command};
use douyin_web::share::Resolver;

use crate::support::{self, CliError};

/// The `resolve` command.
pub fn command() -> Command {
    Command::new("resolve")
        .about("What a share link, short link or share-sheet text points at (aweme, user, mix, live room), as JSON")
        .long_about(
            "Finds the first douyin link in TEXT (a www.douyin.com, live.douyin.com or iesdouyin.com address, a \
             v.douyin.com short link, or the text the app's share sheet copies) and prints what it names as JSON: \
             {\"kind\":\"aweme\",\"aweme_id\":…,\"aweme_kind\":\"video\"|\"note\"|\"unspecified\"}, {\"kind\":\"user\",\
             \"sec_user_id\":…}, {\"kind\":\"mix\",\"mix_id\":…}, {\"kind\":\"live\",\"web_rid\":…} or \
             {\"kind\":\"live_room\",\"room_id\":…}. Short links are followed one redirect at a time without any \
             cookie; a link that leads to an app store is an error.",
        )
        .arg(
            Arg::new("text")
                .required(true)
                .value_name("TEXT")
                .help("A link or share text (quote it: share text has spaces)"),
        )
        .arg(
            Arg::new("short_link_base")
                .long("short-link-base")
                .value_name("URL")
                .help("Send v.douyin.com requests to this base URL instead (a mock server)"),
        )
}

/// Runs `resolve`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).cloned();
    let text = get("text").unwrap_or_default();
    let mut resolver = Resolver::new();
    if let Some(base) = get("short_link_base") {
        resolver = resolver
            .short_link_origin(douyin_web::share::SHORT_LINK_ORIGIN, &base)
            .map_err(|e| CliError::usage(format!("--short-link-base {base}: {e}")))?;
    }
    let target = resolver
        .resolve(&text)
        .await
        .map_err(|e| CliError::failure(e.to_string()))?;
    let json = serde_json::to_string(&target)
        .map_err(|e| CliError::failure(format!("cannot print the target: {e}")))?;
    support::write_stdout(&json)
}
