//! `douyin download`: fetch the videos, pictures, live photos, music and covers of awemes with `douyin-media`, from
//! share links, addresses or aweme ids (arguments or stdin lines, [`inputs`]), from listings that resume where an
//! interrupted run stopped (`--user`, `--favorites`, `--mix`, [`listing`]), or from saved JSON (`--from-json`: an
//! aweme/detail or aweme/post body, a bare aweme, or JSON Lines such as `--all-pages` writes).
//!
//! Progress bars per file and in total on a terminal, plain lines otherwise ([`ui`]). Ctrl-C stops at once: `.part`
//! files keep what arrived and the archive only records finished files, so the next run resumes. Exit status: 0 all
//! fetched or skipped, 1 any item failed (one line each: item, reason, what to do), 2 usage, 130 interrupted.

mod inputs;
mod listing;
mod options;
mod ui;

use std::collections::HashSet;
use std::io::Read;

use clap::ArgMatches;
use douyin_core::Domain;
use douyin_media::shared::SharedCrawl;
use douyin_media::{AwemeOutcome, Downloader, Downloads, Fetched, Listing, MediaItem, Outcome};
use douyin_web::types::{Aweme, AwemeDetailResponse, AwemePostResponse};
use douyin_web::AwemeDetailParams;

use self::inputs::{Flag, Source};
pub use self::options::command;
use self::options::Options;
use self::ui::Ui;

use crate::context::Ctx;
use crate::customize::JobSink;
use crate::generated::CommonArgs;
use crate::support::{CliError, EXIT_INTERRUPTED};

/// The command's name.
pub const COMMAND: &str = "download";

/// Awemes named directly are downloaded in batches of this many (their details fetched first), so a long stdin list
/// neither waits for every detail nor holds them all.
const DIRECT_BATCH: usize = 32;

/// Runs `douyin download`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let common = CommonArgs::from_matches(m);
    let failures = tokio::select! {
        r = execute(&common, m, None) => r?,
        _ = tokio::signal::ctrl_c() => {
            return Err(CliError {
                message: "interrupted: .part files keep what arrived; run the same command again to resume".into(),
                exit: EXIT_INTERRUPTED,
            });
        }
    };
    if failures.is_empty() {
        Ok(())
    } else {
        for line in &failures {
            eprintln!("failed: {line}");
        }
        Err(CliError::failure(format!(
            "{} item(s) failed",
            failures.len()
        )))
    }
}

/// A download job of `douyin serve`: the command's work with the server's common options, reporting to `sink`
/// instead of the terminal; the answer is one line per failed item.
pub async fn job(
    common: &CommonArgs,
    m: &ArgMatches,
    sink: &dyn JobSink,
) -> Result<Vec<String>, CliError> {
    execute(common, m, Some(sink)).await
}

/// The command's work: progress on the terminal, or to `sink`; the failure lines.
async fn execute(
    common: &CommonArgs,
    m: &ArgMatches,
    sink: Option<&dyn JobSink>,
) -> Result<Vec<String>, CliError> {
    let mut ctx = Ctx::load(common)?;
    ctx.crawl = crate::identities::CrawlOptions::from_matches(m)?;
    let mut opts = Options::from(m)?;
    // The shared state is checked before any request: an unreachable database stops the run here.
    let shared = match opts.state.take() {
        Some(s) => {
            let state = douyin_media::postgres::PgState::connect(&s.url)
                .await
                .map_err(|e| CliError::failure(format!("--state: {e}")))?;
            Some(SharedCrawl::new(state, s.worker, s.lease))
        }
        None => None,
    };
    let downloader = downloader(&ctx, m)?;
    let resolver = inputs::resolver(
        m.get_one::<String>("short_link_base").map(String::as_str),
        ctx.base_url_for(douyin_web::Web::NAME)?.as_deref(),
    )?;
    let texts = inputs::gather(m)?;
    let from_json = m.get_one::<String>("from_json");
    let flags: Vec<(Flag, &String)> = Flag::ALL
        .iter()
        .flat_map(|(id, flag)| {
            m.get_many::<String>(id)
                .into_iter()
                .flatten()
                .map(|text| (*flag, text))
        })
        .collect();
    if texts.is_empty() && from_json.is_none() && flags.is_empty() {
        return Err(CliError::usage(
            "nothing to download: give links or aweme ids (or `-` for stdin), --user, --favorites, --mix or \
             --from-json FILE",
        ));
    }
    let dry_run = opts.dry_run;
    let mut downloads = opts.downloads(downloader);
    if let Some(crawl) = &shared {
        downloads = downloads.archive(crawl.state().clone());
    }
    let mut run = Run {
        downloads,
        dry_run,
        ctx,
        client: None,
        shared,
        failures: Vec::new(),
        sink,
    };
    let work = async {
        let mut direct = match from_json {
            Some(file) => read_awemes(file)?,
            None => Vec::new(),
        };
        let mut listings: Vec<Listing> = Vec::new();
        let mut asked = HashSet::new();
        for text in &texts {
            match inputs::source(&resolver, text).await {
                Ok(Source::Aweme(id)) if !asked.insert(id.clone()) => {} // named twice: fetched once
                Ok(Source::Aweme(id)) => {
                    if let Some(aweme) = run.detail(text, &id).await? {
                        direct.push(aweme);
                    }
                }
                Ok(Source::Listing(l)) => listings.push(l),
                Err(reason) => run.failures.push(format!("{}: {reason}", shown(text))),
            }
            if direct.len() >= DIRECT_BATCH {
                run.batch(std::mem::take(&mut direct)).await?;
            }
        }
        run.batch(direct).await?;
        for (flag, text) in flags {
            match inputs::listing(&resolver, flag, text).await {
                Ok(l) => listings.push(l),
                Err(reason) => run.failures.push(format!("{}: {reason}", shown(text))),
            }
        }
        let mut walked = HashSet::new();
        for l in listings {
            if walked.insert(l.clone()) {
                run.listing(&l).await?;
            }
        }
        Ok::<(), CliError>(())
    };
    work.await?;
    Ok(run.failures)
}

/// The downloader the options ask for, with the web session's user agent when one is configured.
fn downloader(ctx: &Ctx, m: &ArgMatches) -> Result<Downloader, CliError> {
    let user_agent = ctx
        .config
        .credential(
            douyin_web::Web::NAME,
            douyin_web::credential_names::USER_AGENT,
        )
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
    builder.build().map_err(|e| CliError::usage(e.to_string()))
}

/// An input as a failure line shows it: share text can be long, so at most 80 characters of it.
fn shown(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
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
        // The response types decide which shape this is (tolerant decoding: another shape leaves the field empty).
        let detail = serde_json::from_value::<AwemeDetailResponse>(value.clone())
            .ok()
            .and_then(|r| r.aweme_detail);
        let list = serde_json::from_value::<AwemePostResponse>(value.clone())
            .ok()
            .and_then(|r| r.aweme_list);
        match (detail, list) {
            (Some(aweme), _) => out.push(*aweme),
            (None, Some(list)) => out.extend(list),
            (None, None) => out.push(serde_json::from_value::<Aweme>(value).map_err(|e| {
                CliError::failure(format!("{file}: value {}: not an aweme: {e}", n + 1))
            })?),
        }
    }
    Ok(out)
}

/// A run's state: its clients, what it downloads, the failure lines so far.
struct Run<'a> {
    ctx: Ctx,
    /// The web client, built when the first detail or listing needs it (saved JSON needs no credentials).
    client: Option<douyin_web::Client>,
    downloads: Downloads,
    dry_run: bool,
    /// `--state`: listings are crawled together with other workers.
    shared: Option<SharedCrawl>,
    failures: Vec<String>,
    /// A served job's sink, in place of the terminal.
    sink: Option<&'a dyn JobSink>,
}

impl<'a> Run<'a> {
    /// Progress for `items` awemes: the terminal's bars, or the job's sink.
    fn ui(&self, items: usize) -> Ui<'a> {
        match self.sink {
            Some(sink) => Ui::job(sink),
            None => Ui::new(items),
        }
    }

    fn client(&mut self) -> Result<&douyin_web::Client, CliError> {
        if self.client.is_none() {
            let domain = douyin_web::Web::NAME;
            let setup = crate::clients::setup(&self.ctx, domain, None)?;
            let configured = setup.configure(|values| douyin_web::Client::configured(values));
            let client = crate::clients::build(&self.ctx, domain, configured, setup)?;
            self.client = Some(client);
        }
        Ok(self.client.as_ref().expect("built above"))
    }

    /// The aweme `input` named, by aweme/detail; `None` after recording why it is not available.
    async fn detail(&mut self, input: &str, aweme_id: &str) -> Result<Option<Aweme>, CliError> {
        let answer = self
            .client()?
            .aweme_detail(&AwemeDetailParams::new(aweme_id))
            .await;
        let why = match answer {
            Ok(AwemeDetailResponse {
                aweme_detail: Some(aweme),
                ..
            }) => return Ok(Some(*aweme)),
            Ok(r) => {
                // The site answers a deleted, private or region-locked aweme with no aweme and maybe a reason.
                let reason = r
                    .filter_detail
                    .and_then(|f| f.detail_msg.or(f.filter_reason))
                    .or(r.status_msg)
                    .filter(|m| !m.trim().is_empty())
                    .map_or_else(String::new, |m| format!(" ({m})"));
                format!(
                    "aweme {aweme_id} is not available{reason}: it may be deleted, private or not shown in your \
                     region; check the link in a browser"
                )
            }
            Err(e) => crate::support::api_error(e).message,
        };
        self.failures.push(format!("{}: {why}", shown(input)));
        Ok(None)
    }

    /// Fetches (or, in a dry run, lists) the files of `awemes`.
    async fn batch(&mut self, awemes: Vec<Aweme>) -> Result<(), CliError> {
        if awemes.is_empty() {
            return Ok(());
        }
        let ui = self.ui(if self.dry_run { 0 } else { awemes.len() });
        let outcomes = self
            .downloads
            .awemes(awemes, &|u| ui.update(u))
            .await
            .map_err(|e| CliError::failure(e.to_string()));
        ui.finish();
        for outcome in &outcomes? {
            report(outcome, self.dry_run, &mut self.failures, &ui)?;
        }
        Ok(())
    }
}

/// One line per file of `outcome` on stderr (a dry run: the list on stdout); failures kept for the end.
fn report(
    outcome: &AwemeOutcome,
    dry_run: bool,
    failures: &mut Vec<String>,
    ui: &Ui<'_>,
) -> Result<(), CliError> {
    if dry_run {
        return list(outcome);
    }
    if outcome.files.is_empty() {
        ui.line(&format!(
            "{}: nothing to fetch (no address for the kinds asked)",
            outcome.post.aweme_id
        ));
    }
    for file in &outcome.files {
        match &file.result {
            Ok(f) => ui.fetched(&done_line(&file.job.item, f), f),
            Err(e) => failures.push(format!("{}: {e}", file.job.item.label())),
        }
    }
    Ok(())
}

/// A dry run's lines: label, size when announced, destination, and whether the archive skips it.
fn list(outcome: &AwemeOutcome) -> Result<(), CliError> {
    if outcome.files.is_empty() {
        return Ok(());
    }
    let mut out = String::new();
    for file in &outcome.files {
        let job = &file.job;
        let size = job.item.size.map_or("?".to_owned(), |s| s.to_string());
        let archived = matches!(&file.result, Ok(f) if f.outcome == Outcome::InArchive);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_inputs_are_shortened_on_failure_lines() {
        assert_eq!(shown("https://v.douyin.com/x/"), "https://v.douyin.com/x/");
        let text = "看".repeat(100);
        assert_eq!(shown(&text), format!("{}…", "看".repeat(80)));
    }
}
