//! `douyin resolve TEXT`: what a share link, a `v.douyin.com` short link or share-sheet text points at, as JSON; and
//! the id a link given for an operation's parameter names (its spec's `link:`).

use clap::{Arg, ArgMatches, Command};
use douyin_web::share::{self, Resolver, ShareError, Target};

use crate::context::Ctx;
use crate::generated::{Link, LinkKind};
use crate::support::{self, CliError};

/// The command's name.
pub const COMMAND: &str = "resolve";

/// The `resolve` command.
pub fn command() -> Command {
    Command::new(COMMAND)
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
                .help("Send short-link requests (v.douyin.com, v.iesdouyin.com) to this base URL instead (a mock server)"),
        )
}

/// Runs `resolve`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).cloned();
    let text = get("text").unwrap_or_default();
    let mut resolver = Resolver::new();
    if let Some(base) = get("short_link_base") {
        resolver = resolver
            .short_links_via(&base)
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

/// The id `text` names for a parameter that takes links: `text` itself when it holds no link, else the target of the
/// link (short links followed; with a base URL for the domain, `--base-url` or configured, short links are asked of it
/// too, as a mock server serves them), which must be of the parameter's kind.
pub async fn id_for(ctx: &Ctx, link: Link, text: String) -> Result<String, CliError> {
    if matches!(share::parse(&text), Err(ShareError::NoLink)) {
        return Ok(text);
    }
    let mut resolver = Resolver::new();
    if let Some(base) = ctx.base_url_for(link.domain)? {
        resolver = resolver
            .short_links_via(&base)
            .map_err(|e| CliError::usage(format!("base URL for short links: {e}")))?;
    }
    let target = resolver
        .resolve(&text)
        .await
        .map_err(|e| CliError::failure(format!("{}: {e}", link.flag)))?;
    let id = match (link.kind, &target) {
        (LinkKind::Aweme, Target::Aweme { aweme_id, .. }) => aweme_id.clone(),
        (LinkKind::User, Target::User { sec_user_id }) => sec_user_id.clone(),
        (LinkKind::Mix, Target::Mix { mix_id }) => mix_id.clone(),
        (LinkKind::Live, Target::Live { web_rid }) => web_rid.clone(),
        (kind, other) => {
            let named = serde_json::to_string(other).unwrap_or_default();
            return Err(CliError::usage(format!(
                "{}: the link names {named}, not {}",
                link.flag,
                wanted(kind)
            )));
        }
    };
    ctx.note(&format!("{}: the link names {id}", link.flag));
    Ok(id)
}

/// What a parameter of `kind` wants, for messages.
fn wanted(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Aweme => "a video or image post",
        LinkKind::User => "a user",
        LinkKind::Mix => "a collection",
        LinkKind::Live => "a live room's live.douyin.com number (web_rid)",
    }
}
