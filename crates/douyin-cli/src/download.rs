//! `douyin download`: fetch the videos, pictures, live photos, music and covers of awemes with `douyin-media`, from
//! a user's posts (`--user`, aweme/post paging that resumes where an interrupted run stopped) or from saved JSON
//! (`--from-json`: an aweme/detail or aweme/post body, a bare aweme, or JSON Lines such as `--all-pages` writes).
//!
//! Progress bars per file and in total on a terminal, plain lines otherwise. Ctrl-C stops at once: `.part` files
//! keep what arrived and the archive only records finished files, so the next run resumes. Exit status: 0 all
//! fetched or skipped, 1 any item failed (one line each: item, reason, what to do), 2 usage, 130 interrupted.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_media::{
    select, Archive, Codec, Downloader, Event, Fetched, Job, MediaItem, MediaKind, NameTemplate,
    Outcome, Planner, Post, Selection, Update, VideoChoice,
};
use douyin_web::types::Aweme;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Config;
use crate::generated::CommonArgs;
use crate::host::Ctx;
use crate::support::{CliError, EXIT_INTERRUPTED};

/// The `download` command.
pub fn command(common: Vec<Arg>) -> Command {
    Command::new("download")
        .about("Download videos (no watermark), image posts, live photos, music and covers, resumably")
        .long_about(
            "Downloads what awemes point at: by default the best video rendition without watermark, or every \
             picture (and live photo) of an image post. Sources: --user (all posts, newest first; an interrupted \
             listing resumes from the archive) and --from-json (a saved aweme/detail or aweme/post body, a bare \
             aweme, or JSON Lines as `douyin web aweme-post … --all-pages` prints). Files go to --dir as \
             <name>.part and are renamed when complete; a re-run resumes .part files and skips what the archive \
             ($XDG_DATA_HOME/douyin/archive.sqlite) records, even if the files moved.\n\n\
             Exit status: 0 all fetched or skipped, 1 some item failed, 2 usage, 130 interrupted.",
        )
        .args(common)
        .arg(Arg::new("user").long("user").value_name("SEC_UID").help("All posts of this user (sec_user_id or www.douyin.com/user/… URL)"))
        .arg(Arg::new("from_json").long("from-json").value_name("FILE").help("Awemes from a saved JSON body or JSON Lines (`-`: stdin)"))
        .arg(Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(u64).range(1..)).help("At most N awemes"))
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
}

/// What the options say, checked.
struct Options {
    dir: PathBuf,
    selection: Selection,
    template: NameTemplate,
    metadata: bool,
    dry_run: bool,
    limit: Option<u64>,
    since: Option<i64>,
    archive: Option<Archive>,
}

impl Options {
    fn from(m: &ArgMatches) -> Result<Options, CliError> {
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
        let archive = if m.get_flag("no_archive") {
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
        })
    }
}

/// `YYYY-MM-DD` → Unix seconds at 00:00 UTC.
fn parse_day(s: &str) -> Result<i64, CliError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| CliError::usage(format!("--since: `{s}` is not a date like 2024-01-31")))
}

/// Runs `douyin download`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let common = CommonArgs::from_matches(m);
    let config = Config::load(
        common.config.as_deref(),
        crate::generated::DOMAINS,
        crate::generated::credentials,
    )?;
    let ctx = Ctx::new(&common, config)?;
    let opts = Options::from(m)?;
    let user_agent = ctx
        .config
        .credential("web", "user_agent")
        .map(|ua| ua.expose().to_owned());
    let mut builder = Downloader::builder()
        .concurrency(m.get_one::<u64>("concurrency").copied().unwrap_or(4) as usize)
        .retry(douyin_core::RetryPolicy {
            max_attempts: ctx.max_attempts.max(1),
            ..Default::default()
        })
        .stall_timeout(ctx.timeout);
    if let Some(ua) = user_agent {
        builder = builder.user_agent(ua);
    }
    let downloader = builder
        .build()
        .map_err(|e| CliError::usage(e.to_string()))?;
    if m.get_one::<String>("from_json").is_none() && m.get_one::<String>("user").is_none() {
        return Err(CliError::usage(
            "nothing to download: give --user SEC_UID or --from-json FILE",
        ));
    }
    let planner = Planner::new(&opts.dir, opts.template.clone());
    let mut run = Run {
        opts,
        downloader,
        planner,
        failures: Vec::new(),
        awemes: 0,
    };
    let work = async {
        if let Some(file) = m.get_one::<String>("from_json") {
            let awemes = read_awemes(file)?;
            run.batch(awemes).await?;
        }
        if let Some(user) = m.get_one::<String>("user") {
            run.user(&ctx, &sec_uid_of(user)).await?;
        }
        Ok::<(), CliError>(())
    };
    tokio::select! {
        r = work => r?,
        _ = tokio::signal::ctrl_c() => {
            return Err(CliError {
                message: "interrupted: .part files keep what arrived; run the same command again to resume".into(),
                exit: EXIT_INTERRUPTED,
            });
        }
    }
    if run.failures.is_empty() {
        Ok(())
    } else {
        for line in &run.failures {
            eprintln!("failed: {line}");
        }
        Err(CliError::failure(format!(
            "{} item(s) failed",
            run.failures.len()
        )))
    }
}

/// `www.douyin.com/user/<sec_uid>?…` or a bare sec_uid.
fn sec_uid_of(arg: &str) -> String {
    match arg.split_once("/user/") {
        Some((_, rest)) => rest
            .split(['?', '#', '/'])
            .next()
            .unwrap_or(rest)
            .to_owned(),
        None => arg.trim().to_owned(),
    }
}

/// Awemes from `aweme_detail`, `aweme_list`, a bare aweme, or one JSON value per line (any of those each).
fn read_awemes(file: &str) -> Result<Vec<Aweme>, CliError> {
    let text = if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::failure(format!("stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| CliError::failure(format!("{file}: {e}")))?
    };
    let mut out = Vec::new();
    for (n, value) in serde_json::Deserializer::from_str(&text)
        .into_iter::<serde_json::Value>()
        .enumerate()
    {
        let value =
            value.map_err(|e| CliError::failure(format!("{file}: value {}: {e}", n + 1)))?;
        let list: Vec<serde_json::Value> = if let Some(d) = value.get("aweme_detail") {
            vec![d.clone()]
        } else if let Some(serde_json::Value::Array(l)) = value.get("aweme_list") {
            l.clone()
        } else {
            vec![value]
        };
        for v in list {
            let aweme = serde_json::from_value::<Aweme>(v).map_err(|e| {
                CliError::failure(format!("{file}: value {}: not an aweme: {e}", n + 1))
            })?;
            out.push(aweme);
        }
    }
    Ok(out)
}

struct Run {
    opts: Options,
    downloader: Downloader,
    planner: Planner,
    failures: Vec<String>,
    awemes: u64,
}

impl Run {
    fn wants(&self, aweme: &Aweme) -> bool {
        let pinned = aweme.is_top == Some(1);
        pinned
            || self
                .opts
                .since
                .is_none_or(|s| aweme.create_time.is_some_and(|t| t >= s))
    }

    fn limit_reached(&self) -> bool {
        self.opts.limit.is_some_and(|l| self.awemes >= l)
    }

    /// Plans, fetches (or lists) the files of `awemes`.
    async fn batch(&mut self, awemes: Vec<Aweme>) -> Result<(), CliError> {
        let mut jobs: Vec<Job> = Vec::new();
        let mut posts: Vec<(Post, Aweme)> = Vec::new();
        for aweme in awemes {
            if self.limit_reached() {
                break;
            }
            if !self.wants(&aweme) {
                continue;
            }
            self.awemes += 1;
            let post = select(&aweme, &self.opts.selection);
            if post.items.is_empty() {
                eprintln!(
                    "{}: nothing to fetch (no address for the kinds asked)",
                    post.aweme_id
                );
            }
            jobs.extend(self.planner.plan(&post));
            posts.push((post, aweme));
        }
        if self.opts.dry_run {
            return self.list(&jobs);
        }
        if self.opts.metadata {
            for (post, aweme) in &posts {
                write_metadata(&self.opts.dir, &self.opts.template, post, aweme)?;
            }
        }
        let ui = Ui::new(jobs.len());
        let results = self
            .downloader
            .fetch_all(&jobs, self.opts.archive.as_ref(), &|u| ui.update(u))
            .await;
        ui.finish();
        for (job, result) in jobs.iter().zip(results) {
            match result {
                Ok(f) => eprintln!("{}", done_line(&job.item, &f)),
                Err(e) => self.failures.push(format!("{}: {e}", job.item.label())),
            }
        }
        Ok(())
    }

    fn list(&self, jobs: &[Job]) -> Result<(), CliError> {
        let mut out = String::new();
        for job in jobs {
            let size = job.item.size.map_or("?".to_owned(), |s| s.to_string());
            let archived = match &self.opts.archive {
                Some(a) => a
                    .find(&job.item)
                    .map_err(|e| CliError::failure(e.to_string()))?
                    .is_some(),
                None => false,
            };
            let note = if archived {
                "\t(in archive: skipped)"
            } else {
                ""
            };
            out.push_str(&format!(
                "{}\t{size}\t{}{note}\n",
                job.item.label(),
                job.dest.display()
            ));
        }
        crate::support::write_stdout(out.trim_end())
    }

    /// Every post of `sec_uid`, page by page; the archive keeps the cursor of the last finished page.
    async fn user(&mut self, ctx: &Ctx, sec_uid: &str) -> Result<(), CliError> {
        let client = crate::clients::web(ctx)?;
        let listing = format!("aweme_post:{sec_uid}");
        let archive_err = |e: douyin_media::Error| CliError::failure(e.to_string());
        let mut cursor: i64 = match &self.opts.archive {
            Some(a) => a
                .cursor(&listing)
                .map_err(archive_err)?
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            None => 0,
        };
        if cursor != 0 {
            eprintln!("resuming {sec_uid}'s posts at cursor {cursor} (from the archive)");
        }
        loop {
            let params = douyin_web::AwemePostParams::new(sec_uid).max_cursor(cursor);
            let page = client
                .aweme_post(&params)
                .await
                .map_err(crate::support::api_error)?;
            let awemes = page.aweme_list.clone().unwrap_or_default();
            let old = awemes.iter().any(|a| a.is_top != Some(1) && !self.wants(a));
            let failed_before = self.failures.len();
            self.batch(awemes).await?;
            let next = page.max_cursor.unwrap_or(0);
            let more = page.has_more.unwrap_or(0) != 0 && next != cursor && next != 0;
            let stop = !more || old || self.limit_reached();
            let page_ok = self.failures.len() == failed_before;
            // A page counts as done once all its files are: a failed or interrupted page is listed again next run.
            if let Some(a) = self
                .opts
                .archive
                .as_ref()
                .filter(|_| page_ok && !self.opts.dry_run)
            {
                if stop {
                    a.clear_cursor(&listing).map_err(archive_err)?;
                } else {
                    a.set_cursor(&listing, &next.to_string())
                        .map_err(archive_err)?;
                }
            }
            if stop || !page_ok {
                return Ok(());
            }
            cursor = next;
        }
    }
}

fn done_line(item: &MediaItem, f: &Fetched) -> String {
    let what = match f.outcome {
        Outcome::Fetched { resumed_from: 0 } => "fetched".to_owned(),
        Outcome::Fetched { resumed_from } => format!("resumed at {resumed_from} bytes, fetched"),
        Outcome::AlreadyPresent => "already present".to_owned(),
        Outcome::InArchive => "in archive, skipped".to_owned(),
        _ => "done".to_owned(),
    };
    format!(
        "{}: {what}: {} ({} bytes)",
        item.label(),
        f.path.display(),
        f.size
    )
}

/// `<name>.json` beside the aweme's files: the aweme as received (the typed value re-encodes losslessly).
fn write_metadata(
    dir: &Path,
    template: &NameTemplate,
    post: &Post,
    aweme: &Aweme,
) -> Result<(), CliError> {
    let stub = MediaItem {
        aweme_id: post.aweme_id.clone(),
        kind: MediaKind::Video,
        index: 0,
        urls: Vec::new(),
        size: None,
        extension: "json".into(),
        dimensions: None,
        codec: None,
    };
    let path = dir.join(template.file_name(post, &stub));
    let json = serde_json::to_vec_pretty(aweme)
        .map_err(|e| CliError::failure(format!("{}: {e}", post.aweme_id)))?;
    let io = |e: std::io::Error| CliError::failure(format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = douyin_media::part_path(&path);
    std::fs::write(&tmp, json).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)
}

/// Progress bars on a terminal, plain lines for retries otherwise.
struct Ui {
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    items: Mutex<HashMap<usize, ProgressBar>>,
}

impl Ui {
    fn new(items: usize) -> Ui {
        if !std::io::stderr().is_terminal() || items == 0 {
            return Ui { bars: None };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(0));
        total.set_style(
            ProgressStyle::with_template(
                "total {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Ui {
            bars: Some(Bars {
                multi,
                total,
                items: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn update(&self, u: &Update<'_>) {
        let Some(Bars {
            multi,
            total,
            items,
        }) = &self.bars
        else {
            if let Event::Retrying { mirror, reason, .. } = u.event {
                eprintln!(
                    "{}: mirror {} failed ({reason}), retrying",
                    u.label,
                    mirror + 1
                );
            }
            return;
        };
        total.set_length(u.overall.total);
        total.set_position(u.overall.bytes);
        total.set_message(format!("{}/{} files", u.overall.done, u.overall.items));
        let mut bars = items.lock().unwrap_or_else(|p| p.into_inner());
        match u.event {
            Event::Done | Event::Failed => {
                if let Some(bar) = bars.remove(&u.index) {
                    bar.finish_and_clear();
                    multi.remove(&bar);
                }
            }
            event => {
                let bar = bars.entry(u.index).or_insert_with(|| {
                    let bar = multi.insert_before(total, ProgressBar::new(0));
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:32!} [{bar:30}] {bytes}/{total_bytes} {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(u.label.to_owned());
                    bar
                });
                bar.set_length(u.total.unwrap_or(0));
                bar.set_position(u.bytes);
                if let Event::Retrying { mirror, reason, .. } = event {
                    bar.set_message(format!("mirror {} failed: {reason}", mirror + 1));
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(Bars { multi, total, .. }) = &self.bars {
            total.finish_and_clear();
            let _ = multi.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_user_links() {
        assert_eq!(parse_day("2024-01-24").unwrap(), 1_706_054_400);
        assert_eq!(parse_day("1970-01-01").unwrap(), 0);
        assert!(parse_day("2024-13-01").is_err() && parse_day("yesterday").is_err());
        assert_eq!(
            sec_uid_of("https://www.douyin.com/user/MS4wLjAB?vid=1"),
            "MS4wLjAB"
        );
        assert_eq!(sec_uid_of("MS4wLjAB"), "MS4wLjAB");
    }
}
