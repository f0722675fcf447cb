//! What `douyin download` is asked for besides saved JSON: share links, addresses, share-sheet text or aweme ids as
//! arguments or one per line on stdin, and the links of `--user`, `--favorites` and `--mix`, each resolved with
//! `douyin_web::share` to an aweme to fetch or a listing to walk.
//!
//! Stdin is read when an argument is `-`, or when nothing at all is named (no argument, no `--user`, `--favorites`,
//! `--mix` or `--from-json`) and stdin is not a terminal: `cat links.txt | douyin download`.

use std::io::{BufRead, IsTerminal};

use clap::ArgMatches;
use douyin_web::share::{Resolver, ShareError, Target};

use crate::support::CliError;
use douyin_media::Listing;

/// What an input names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// One aweme, fetched with aweme/detail.
    Aweme(String),
    /// A user's posts or a collection.
    Listing(Listing),
}

/// Which listing a flag asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flag {
    /// `--user`: the user's posts.
    User,
    /// `--favorites`: the posts the user liked.
    Favorites,
    /// `--mix`: the awemes of a collection.
    Mix,
}

impl Flag {
    /// Every listing flag with its argument id.
    pub(super) const ALL: [(&'static str, Flag); 3] = [
        ("user", Flag::User),
        ("favorites", Flag::Favorites),
        ("mix", Flag::Mix),
    ];

    fn option(self) -> &'static str {
        match self {
            Flag::User => "--user",
            Flag::Favorites => "--favorites",
            Flag::Mix => "--mix",
        }
    }
}

/// The inputs in order: the arguments, with stdin's lines where an argument is `-` (or in place of arguments when
/// nothing is named and stdin is not a terminal). Blank lines and `#` comments are skipped.
pub(super) fn gather(m: &ArgMatches) -> Result<Vec<String>, CliError> {
    let args: Vec<&String> = m
        .get_many::<String>("inputs")
        .map(Iterator::collect)
        .unwrap_or_default();
    let from_json_stdin = m.get_one::<String>("from_json").is_some_and(|f| f == "-");
    let dashes = args.iter().filter(|a| a.as_str() == "-").count();
    if dashes > 1 || (dashes == 1 && from_json_stdin) {
        return Err(CliError::usage(
            "stdin can be read once: give `-` once, as an argument or as --from-json",
        ));
    }
    let named = !args.is_empty()
        || m.get_one::<String>("from_json").is_some()
        || Flag::ALL
            .iter()
            .any(|(id, _)| m.get_one::<String>(id).is_some());
    if !named && !std::io::stdin().is_terminal() {
        return read_lines(std::io::stdin().lock());
    }
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" {
            out.extend(read_lines(std::io::stdin().lock())?);
        } else if !arg.trim().is_empty() {
            out.push(arg.trim().to_owned());
        }
    }
    Ok(out)
}

fn read_lines(input: impl BufRead) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for line in input.lines() {
        let line = line.map_err(|e| CliError::failure(format!("stdin: {e}")))?;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            out.push(line.to_owned());
        }
    }
    Ok(out)
}

/// The short-link resolver: `--short-link-base` when given, else the web base URL (`--base-url`, the environment or
/// the config file: a mock serves short links below it, as the generated commands' link arguments expect), else
/// the real short-link hosts.
pub(super) fn resolver(
    short_link_base: Option<&str>,
    base_url: Option<&str>,
) -> Result<Resolver, CliError> {
    let resolver = Resolver::new();
    match (short_link_base, base_url) {
        (Some(base), _) => resolver
            .short_links_via(base)
            .map_err(|e| CliError::usage(format!("--short-link-base: {e}"))),
        (None, Some(base)) => resolver
            .short_links_via(base)
            .map_err(|e| CliError::usage(format!("base URL for short links: {e}"))),
        (None, None) => Ok(resolver),
    }
}

/// What an argument or stdin line names; `Err` is the reason with what to do, for the item's failure line.
pub(super) async fn source(resolver: &Resolver, text: &str) -> Result<Source, String> {
    if is_aweme_id(text) {
        return Ok(Source::Aweme(text.to_owned()));
    }
    match resolver.resolve(text).await {
        Ok(Target::Aweme { aweme_id, .. }) => Ok(Source::Aweme(aweme_id)),
        Ok(Target::User { sec_user_id }) => Ok(Source::Listing(Listing::Posts(sec_user_id))),
        Ok(Target::Mix { mix_id }) => Ok(Source::Listing(Listing::Mix(mix_id))),
        Ok(target) => Err(not_downloadable(&target)),
        Err(ShareError::NoLink) => Err(
            "no douyin link or aweme id in it: give a share link, a www.douyin.com address, share-sheet text or an \
             aweme id (a bare sec_uid goes with --user or --favorites)"
                .to_owned(),
        ),
        Err(e) => Err(e.to_string()),
    }
}

/// The listing the argument of `flag` names: a link (short links followed), share text, or a bare id (a sec_uid for
/// `--user` and `--favorites`, a number for `--mix`).
pub(super) async fn listing(
    resolver: &Resolver,
    flag: Flag,
    text: &str,
) -> Result<Listing, String> {
    let bare = !text.is_empty() && !text.contains(char::is_whitespace) && !text.contains('/');
    let target = match resolver.resolve(text).await {
        Ok(t) => t,
        Err(ShareError::NoLink) if bare && flag == Flag::Mix && is_number(text) => {
            return Ok(Listing::Mix(text.to_owned()))
        }
        Err(ShareError::NoLink) if bare && flag != Flag::Mix => {
            return Ok(user_listing(flag, text.to_owned()))
        }
        Err(ShareError::NoLink) => {
            return Err(format!(
                "{}: no douyin link or id in it: give a link, share text or {}",
                flag.option(),
                if flag == Flag::Mix {
                    "a collection id"
                } else {
                    "a sec_uid"
                }
            ))
        }
        Err(e) => return Err(format!("{}: {e}", flag.option())),
    };
    match (flag, target) {
        (Flag::User | Flag::Favorites, Target::User { sec_user_id }) => {
            Ok(user_listing(flag, sec_user_id))
        }
        (Flag::Mix, Target::Mix { mix_id }) => Ok(Listing::Mix(mix_id)),
        (_, target) if target.aweme_id().is_none() && !is_user_or_mix(&target) => {
            Err(not_downloadable(&target))
        }
        (_, target) => Err(format!(
            "{} wants a {} link, this one names {}: give it as an argument instead",
            flag.option(),
            if flag == Flag::Mix {
                "collection"
            } else {
                "user"
            },
            what(&target)
        )),
    }
}

fn user_listing(flag: Flag, sec_user_id: String) -> Listing {
    if flag == Flag::Favorites {
        Listing::Favorites(sec_user_id)
    } else {
        Listing::Posts(sec_user_id)
    }
}

fn is_user_or_mix(target: &Target) -> bool {
    matches!(target, Target::User { .. } | Target::Mix { .. })
}

/// A target as words: "an aweme (ID)", "a user (SEC_UID)", "a collection (ID)", "a live room (ID)".
fn what(target: &Target) -> String {
    match target {
        Target::Aweme { aweme_id, .. } => format!("an aweme ({aweme_id})"),
        Target::User { sec_user_id } => format!("a user ({sec_user_id})"),
        Target::Mix { mix_id } => format!("a collection ({mix_id})"),
        Target::Live { web_rid } => format!("a live room ({web_rid})"),
        Target::LiveRoom { room_id } => format!("a live room (room id {room_id})"),
        other => format!("{other:?}"),
    }
}

fn not_downloadable(target: &Target) -> String {
    format!(
        "{} is not downloadable: a live stream has no file to fetch; give a video, image post, user or collection \
         link",
        what(target)
    )
}

/// Aweme ids are long decimal numbers (19 digits today); a short number is more likely a mistake than an id.
fn is_aweme_id(text: &str) -> bool {
    text.len() >= 15 && is_number(text)
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn inputs_name_awemes_listings_or_say_why_not() {
        let r = Resolver::new();
        let source = |t: &str| run(source(&r, t));
        assert_eq!(
            source("7331282358999584037"),
            Ok(Source::Aweme("7331282358999584037".into()))
        );
        assert_eq!(
            source("看看 https://www.douyin.com/note/7325083396338600228 好看"),
            Ok(Source::Aweme("7325083396338600228".into()))
        );
        assert_eq!(
            source("https://www.douyin.com/user/MS4wLjAB?vid=1"),
            Ok(Source::Listing(Listing::Posts("MS4wLjAB".into())))
        );
        assert_eq!(
            source("https://www.douyin.com/collection/7348687990509553679"),
            Ok(Source::Listing(Listing::Mix("7348687990509553679".into())))
        );
        let live = source("https://live.douyin.com/285520721194").unwrap_err();
        assert!(
            live.starts_with("a live room (285520721194) is not downloadable"),
            "{live}"
        );
        assert!(source("12345").unwrap_err().contains("no douyin link"));
    }

    #[test]
    fn listing_flags_take_links_or_bare_ids() {
        let r = Resolver::new();
        let listing = |f, t: &str| run(listing(&r, f, t));
        assert_eq!(
            listing(Flag::User, "MS4wLjAB"),
            Ok(Listing::Posts("MS4wLjAB".into()))
        );
        assert_eq!(
            listing(Flag::Favorites, "https://www.douyin.com/user/MS4wLjAB"),
            Ok(Listing::Favorites("MS4wLjAB".into()))
        );
        assert_eq!(
            listing(Flag::Mix, "7348687990509553679"),
            Ok(Listing::Mix("7348687990509553679".into()))
        );
        assert_eq!(
            listing(Flag::Mix, "https://www.douyin.com/mix/7348687990509553679"),
            Ok(Listing::Mix("7348687990509553679".into()))
        );
        let wrong = listing(Flag::Mix, "https://www.douyin.com/user/MS4wLjAB").unwrap_err();
        assert_eq!(
            wrong,
            "--mix wants a collection link, this one names a user (MS4wLjAB): give it as an argument instead"
        );
        assert!(listing(Flag::Mix, "not-a-number")
            .unwrap_err()
            .contains("a collection id"));
        assert!(listing(Flag::User, "https://live.douyin.com/1")
            .unwrap_err()
            .contains("not downloadable"));
    }

    #[test]
    fn stdin_lines_skip_blanks_and_comments() {
        let text = "# my list\n\n  7331282358999584037  \r\nhttps://v.douyin.com/iRNBho6u/\n";
        assert_eq!(
            read_lines(text.as_bytes()).unwrap(),
            ["7331282358999584037", "https://v.douyin.com/iRNBho6u/"]
        );
    }
}
