//! The arguments of `douyin download` and what they say, checked: what to fetch (`--what`, rendition choice), names,
//! `--limit`, `--since`, the archive, or the shared crawl state (`--state postgres://…`, `--lease`, `--worker`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_media::{Archive, Codec, Downloader, Downloads, NameTemplate, Selection, VideoChoice};

use crate::support::CliError;

/// The `download` command.
pub fn command(common: Vec<Arg>) -> Command {
    Command::new(super::COMMAND)
        .about("Download videos (no watermark), image posts, live photos, music and covers, resumably")
        .long_about(
            "Downloads what awemes point at: by default the best video rendition without watermark, or every \
             picture (and live photo) of an image post.\n\n\
             Sources: share links, www.douyin.com addresses, share-sheet text or aweme ids as arguments, or one per \
             line on stdin (an argument `-`, or no source at all with stdin not a terminal); a user link downloads \
             the user's posts, a collection link the collection, a live-room link fails (nothing to download). \
             --user, --favorites (the posts a user liked) and --mix (a collection) take a link or an id; their \
             listings resume from the archive after an interruption. --from-json reads a saved aweme/detail or \
             aweme/post body, a bare aweme, or JSON Lines as `douyin web aweme-post … --all-pages` prints.\n\n\
             Short links are followed without a cookie; with --base-url they go to that base URL (a mock serves \
             them at BASE/CODE/), or wherever --short-link-base says.\n\n\
             Files go to --dir as <name>.part and are renamed when complete; a re-run resumes .part files and skips \
             what the archive ($XDG_DATA_HOME/douyin/archive.sqlite) records, even if the files moved.\n\n\
             With --state postgres://…, the archive, the listings' cursors and a work queue live in PostgreSQL \
             instead, so several processes on several machines share one crawl of --user/--favorites/--mix \
             listings: one fetches each page and queues its awemes, every worker claims awemes under a lease \
             (--lease) it renews while downloading; a killed worker's aweme is claimed again when its lease ends. \
             Each worker returns when the listing is walked and its queue is empty. The database is checked \
             before any request.\n\n\
             Exit status: 0 all fetched or skipped, 1 some item failed, 2 usage, 130 interrupted.",
        )
        .args(common)
        .arg(Arg::new("inputs").value_name("LINK_OR_ID").num_args(0..).help("Share links, addresses, share text or aweme ids (`-`: one per line on stdin)"))
        .arg(Arg::new("user").long("user").value_name("LINK").action(ArgAction::Append).help("All posts of this user (a user link, share text or sec_uid)"))
        .arg(Arg::new("favorites").long("favorites").value_name("LINK").action(ArgAction::Append).help("All posts this user liked (a user link, share text or sec_uid)"))
        .arg(Arg::new("mix").long("mix").value_name("LINK").action(ArgAction::Append).help("All awemes of this collection (a collection link, share text or id)"))
        .arg(Arg::new("short_link_base").long("short-link-base").value_name("URL").help("Send short-link requests (v.douyin.com, v.iesdouyin.com) to this base URL instead (a mock server)"))
        .arg(Arg::new("from_json").long("from-json").value_name("FILE").help("Awemes from a saved JSON body or JSON Lines (`-`: stdin)"))
        .arg(Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(u64).range(1..)).help("At most N awemes from each listing, and N from the other sources together"))
        .arg(Arg::new("since").long("since").value_name("YYYY-MM-DD").help("Only awemes published on or after this day (UTC)"))
        .arg(Arg::new("dir").long("dir").value_name("DIR").default_value(".").value_parser(clap::value_parser!(PathBuf)).help("Where files go"))
        .arg(Arg::new("concurrency").long("concurrency").short('j').value_name("N").default_value("4").value_parser(clap::value_parser!(u64).range(1..=64)).help("Files fetched at once"))
        .arg(Arg::new("name").long("name").value_name("TEMPLATE").default_value(douyin_media::name::DEFAULT_TEMPLATE).help("File name template: {aweme_id} {desc} {author} {author_id} {date} {kind} {index}"))
        .arg(Arg::new("what").long("what").value_name("KINDS").default_value("video,images").help("Comma-separated: video, images, music, cover"))
        .arg(Arg::new("max_height").long("max-height").value_name("LINES").value_parser(clap::value_parser!(u32)).help("Best rendition of at most this many lines (720 for 720p)"))
        .arg(Arg::new("codec").long("codec").value_name("CODEC").value_parser(["h264", "h265"]).help("Prefer this codec when the video has it"))
        .arg(Arg::new("smallest").long("smallest").action(ArgAction::SetTrue).help("The smallest rendition instead of the best"))
        .arg(Arg::new("metadata").long("metadata").action(ArgAction::SetTrue).help("Write each aweme's JSON (lossless) beside its files"))
        .arg(Arg::new("dry_run").long("dry-run").action(ArgAction::SetTrue).help("List what would be fetched (sizes when the aweme announces them); fetch nothing"))
        .arg(Arg::new("archive").long("archive").value_name("FILE").value_parser(clap::value_parser!(PathBuf)).conflicts_with("no_archive").help("Archive database [default: $XDG_DATA_HOME/douyin/archive.sqlite]"))
        .arg(Arg::new("no_archive").long("no-archive").action(ArgAction::SetTrue).help("Neither skip nor record anything"))
        .arg(Arg::new("state").long("state").value_name("URL").conflicts_with_all(["archive", "no_archive", "limit", "dry_run"]).help_heading("Shared crawl").help("Keep the archive, cursors and a work queue in this PostgreSQL database (postgres://user@host/db), shared with other workers"))
        .arg(Arg::new("lease").long("lease").value_name("SECS").requires("state").value_parser(clap::value_parser!(u64).range(1..=86_400)).default_value("60").help_heading("Shared crawl").help("How long a claimed aweme stays this worker's without renewal (a dead worker's comes back after it)"))
        .arg(Arg::new("worker").long("worker").value_name("NAME").requires("state").help_heading("Shared crawl").help("This worker's name in the queue [default: HOST-PID]"))
}

/// `--state` and its companions, checked (connecting happens in [`super::run`], before any request).
pub(super) struct StateOptions {
    pub(super) url: String,
    pub(super) lease: Duration,
    pub(super) worker: String,
}

impl StateOptions {
    fn from(m: &ArgMatches) -> Result<Option<StateOptions>, CliError> {
        let Some(url) = m.get_one::<String>("state") else {
            return Ok(None);
        };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(CliError::usage(
                "--state: give a postgres:// or postgresql:// URL (the one-machine archive is --archive FILE)",
            ));
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".to_owned());
        Ok(Some(StateOptions {
            url: url.clone(),
            lease: Duration::from_secs(m.get_one::<u64>("lease").copied().unwrap_or(60)),
            worker: m
                .get_one::<String>("worker")
                .cloned()
                .unwrap_or_else(|| format!("{host}-{}", std::process::id())),
        }))
    }
}

/// What the options say, checked.
pub(super) struct Options {
    pub(super) dir: PathBuf,
    pub(super) selection: Selection,
    pub(super) template: NameTemplate,
    pub(super) metadata: bool,
    pub(super) dry_run: bool,
    pub(super) limit: Option<u64>,
    pub(super) since: Option<i64>,
    pub(super) archive: Option<Archive>,
    pub(super) state: Option<StateOptions>,
}

impl Options {
    pub(super) fn from(m: &ArgMatches) -> Result<Options, CliError> {
        let get = |id: &str| m.get_one::<String>(id).map(String::as_str);
        let mut selection = Selection {
            video: false,
            images: false,
            music: false,
            cover: false,
            ..Selection::default()
        };
        for kind in get("what")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            match kind {
                "video" => selection.video = true,
                "images" | "image" => selection.images = true,
                "music" => selection.music = true,
                "cover" => selection.cover = true,
                other => {
                    return Err(CliError::usage(format!(
                        "--what: unknown kind `{other}` (video, images, music, cover)"
                    )))
                }
            }
        }
        selection.video_choice = VideoChoice {
            max_height: m.get_one::<u32>("max_height").copied(),
            codec: get("codec").map(|c| {
                if c == "h265" {
                    Codec::H265
                } else {
                    Codec::H264
                }
            }),
            smallest: m.get_flag("smallest"),
        };
        let template =
            NameTemplate::parse(get("name").unwrap_or(douyin_media::name::DEFAULT_TEMPLATE))
                .map_err(|e| CliError::usage(format!("--name: {e}")))?;
        let since = get("since").map(parse_day).transpose()?;
        let state = StateOptions::from(m)?;
        let archive = if m.get_flag("no_archive") || state.is_some() {
            None
        } else {
            let path = match m.get_one::<PathBuf>("archive") {
                Some(p) => p.clone(),
                None => Archive::default_path()
                    .ok_or_else(|| CliError::usage("no data directory for the archive: set XDG_DATA_HOME, or --archive FILE, or --no-archive"))?,
            };
            Some(Archive::open(&path).map_err(|e| CliError::failure(e.to_string()))?)
        };
        Ok(Options {
            dir: m
                .get_one::<PathBuf>("dir")
                .cloned()
                .unwrap_or_else(|| PathBuf::from(".")),
            selection,
            template,
            metadata: m.get_flag("metadata"),
            dry_run: m.get_flag("dry_run"),
            limit: m.get_one::<u64>("limit").copied(),
            since,
            archive,
            state,
        })
    }
}

impl Options {
    /// What the options ask [`Downloads`] to do, fetching with `downloader`.
    pub(super) fn downloads(self, downloader: Downloader) -> Downloads {
        let mut d = Downloads::new(downloader, self.dir)
            .template(self.template)
            .selection(self.selection)
            .metadata(self.metadata)
            .dry_run(self.dry_run);
        if let Some(archive) = self.archive {
            d = d.archive(archive);
        }
        if let Some(since) = self.since {
            d = d.since(since);
        }
        if let Some(limit) = self.limit {
            d = d.limit(limit);
        }
        d
    }
}

/// `YYYY-MM-DD` → Unix seconds at 00:00 UTC.
fn parse_day(s: &str) -> Result<i64, CliError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| CliError::usage(format!("--since: `{s}` is not a date like 2024-01-31")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!(parse_day("2024-01-24").unwrap(), 1_706_054_400);
        assert_eq!(parse_day("1970-01-01").unwrap(), 0);
        assert!(parse_day("2024-13-01").is_err() && parse_day("yesterday").is_err());
    }
}
