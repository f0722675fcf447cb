//! Fetching one file: browser-like headers, retries then the next mirror, streaming to `<name>.part` through a
//! fixed-size buffer, resuming with `Range`, size checks, an atomic rename at the end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use douyin_core::spool::Spool;
use douyin_core::{Domain, RetryPolicy};
use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;

use crate::error::{AttemptError, Error};
use crate::progress::{Event, OnUpdate, Totals, Tracker};
use crate::select::MediaItem;

/// Bytes buffered between the socket and the file: the only per-download buffer this crate allocates.
pub const DEFAULT_BUFFER: usize = 256 * 1024;

/// Failed attempts in a row that made progress are not counted against a mirror, up to this many, so a server that
/// drops every few megabytes still finishes a large file but a file that never completes cannot loop forever.
const MAX_PROGRESSING_ATTEMPTS: u32 = 1000;

/// How a file was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Fetched in this run (`resumed_from` bytes were already in the `.part` file).
    Fetched {
        /// Bytes already on disk when this run started.
        resumed_from: u64,
    },
    /// The destination already existed; nothing was fetched.
    AlreadyPresent,
    /// The archive records the item as fetched before (the file may have moved since); nothing was fetched.
    InArchive,
    /// A dry run ([`crate::Downloads::dry_run`]): the file would be fetched; nothing was.
    Planned,
}

/// A finished download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// Where the file is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// How it got there.
    pub outcome: Outcome,
    /// Which mirror (0-based index into the item's URLs) served the end of it.
    pub mirror: usize,
}

/// Sets up a [`Downloader`].
#[derive(Clone, Debug)]
pub struct DownloaderBuilder {
    user_agent: String,
    referer: String,
    retry: RetryPolicy,
    connect_timeout: Duration,
    stall_timeout: Duration,
    buffer: usize,
    concurrency: usize,
    max_size: u64,
}

/// The largest file fetched when neither the server nor the aweme says how large it is.
pub const DEFAULT_MAX_SIZE: u64 = 16 << 30;

impl Default for DownloaderBuilder {
    fn default() -> Self {
        DownloaderBuilder {
            user_agent: douyin_web::SESSION_USER_AGENT
                .unwrap_or_default()
                .to_owned(),
            referer: format!("{}/", <douyin_web::Web as Domain>::BASE_URL),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(30),
            buffer: DEFAULT_BUFFER,
            concurrency: 4,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl DownloaderBuilder {
    /// The user agent to send: the web session's (`WebSession::user_agent`), so the CDN sees the same browser.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The user agent of a web session, so downloads look like the browser that made the API calls. Only the user
    /// agent is taken: the session's cookie never goes to a CDN.
    pub fn session(self, session: &douyin_web::WebSession) -> Self {
        self.user_agent(session.user_agent())
    }

    /// The largest file accepted when its size is announced nowhere (default [`DEFAULT_MAX_SIZE`]), so an endless body
    /// cannot fill the disk.
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = bytes;
        self
    }

    /// The `Referer` (default `https://www.douyin.com/`, the web domain's base URL).
    pub fn referer(mut self, referer: impl Into<String>) -> Self {
        self.referer = referer.into();
        self
    }

    /// Attempts per mirror and the backoff between them (default: 3 attempts, 200 ms doubling, jittered).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// How long a transfer may go without a byte before it counts as dropped (default 30 s).
    pub fn stall_timeout(mut self, t: Duration) -> Self {
        self.stall_timeout = t;
        self
    }

    /// The write buffer per download (default [`DEFAULT_BUFFER`]; at least 4 KiB).
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer = bytes.max(4096);
        self
    }

    /// Downloads at once in [`Downloader::fetch_all`] (default 4; at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Builds the downloader.
    pub fn build(self) -> Result<Downloader, Error> {
        let value = |v: &str| HeaderValue::from_str(v).map_err(|e| Error::Setup(e.to_string()));
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, value(&self.referer)?);
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        let http = reqwest::Client::builder()
            .user_agent(value(&self.user_agent)?)
            .default_headers(headers)
            // Bytes on disk must be the bytes counted by Content-Length and Range: no transparent decompression.
            .no_gzip()
            // Our own Referer only; reqwest's would carry the previous URL across a redirect.
            .referer(false)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::Setup(e.to_string()))?;
        Ok(Downloader {
            http,
            retry: self.retry,
            stall_timeout: self.stall_timeout,
            buffer: self.buffer,
            concurrency: self.concurrency,
            max_size: self.max_size,
        })
    }
}

/// Fetches media files. Cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct Downloader {
    http: reqwest::Client,
    retry: RetryPolicy,
    stall_timeout: Duration,
    buffer: usize,
    pub(crate) concurrency: usize,
    max_size: u64,
}

/// The `.part` path of `dest`: `video.mp4` → `video.mp4.part`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// A failed attempt and whether it moved the `.part` file past its previous high-water mark.
struct Failure {
    error: AttemptError,
}

impl Downloader {
    /// A builder with the defaults.
    pub fn builder() -> DownloaderBuilder {
        DownloaderBuilder::default()
    }

    /// Fetches `item` to `dest`: resumes `dest.part` if present, tries each mirror in turn (retrying the ones whose
    /// failure may pass), verifies the size and renames `dest.part` to `dest`. If `dest` exists it is left alone.
    /// `on_update` hears of progress, retries and the end.
    pub async fn fetch(
        &self,
        item: &MediaItem,
        dest: &Path,
        on_update: &OnUpdate<'_>,
    ) -> Result<Fetched, Error> {
        let totals = Totals::new(1);
        let tracker = Tracker::new(0, item.label(), &totals, on_update);
        self.fetch_tracked(item, dest, &tracker).await
    }

    pub(crate) async fn fetch_tracked(
        &self,
        item: &MediaItem,
        dest: &Path,
        progress: &Tracker<'_>,
    ) -> Result<Fetched, Error> {
        let part = part_path(dest);
        let on_disk = crate::part::survey(dest, &part)
            .await
            .map_err(|(path, e)| Error::io(path, e))?;
        if let Some(size) = on_disk.dest {
            progress.emit(Event::Done, size, Some(size));
            return Ok(Fetched {
                path: dest.to_owned(),
                size,
                outcome: Outcome::AlreadyPresent,
                mirror: 0,
            });
        }
        if item.urls.is_empty() {
            return Err(Error::NoUrl { item: item.label() });
        }
        let resumed_from = on_disk.part;
        // Bytes in the `.part` file, as the attempts leave it.
        let mut on_disk = on_disk.part;
        let mut attempts = 0u32;
        let mut last = AttemptError::Status(0);
        for (mirror, url) in item.urls.iter().enumerate() {
            let mut failures = 0u32;
            let mut progressing = 0u32;
            loop {
                attempts += 1;
                let before = on_disk;
                match self
                    .attempt(url, (&part, dest), &mut on_disk, item.size, progress)
                    .await
                {
                    Ok(size) => {
                        progress.emit(Event::Done, size, Some(size));
                        let outcome = Outcome::Fetched { resumed_from };
                        return Ok(Fetched {
                            path: dest.to_owned(),
                            size,
                            outcome,
                            mirror,
                        });
                    }
                    Err(AttemptOutcome::Local(e)) => return Err(e),
                    Err(AttemptOutcome::Failed(Failure { error })) => {
                        let after = on_disk;
                        if after > before && progressing < MAX_PROGRESSING_ATTEMPTS {
                            progressing += 1;
                        } else {
                            failures += 1;
                        }
                        let give_up = !error.is_retryable_here()
                            || failures >= self.retry.max_attempts.max(1);
                        let event = Event::Retrying {
                            mirror,
                            attempt: attempts,
                            reason: error.clone(),
                        };
                        progress.emit(event, after, None);
                        last = error;
                        if give_up {
                            break;
                        }
                        if after <= before {
                            tokio::time::sleep(self.retry.delay(failures)).await;
                        }
                    }
                }
            }
        }
        Err(Error::AllMirrorsFailed {
            item: item.label(),
            last,
            attempts,
        })
    }

    /// The size of `item` as its first answering mirror reports it (`HEAD`), for a dry run.
    pub async fn probe(&self, item: &MediaItem) -> Option<u64> {
        for url in &item.urls {
            let resp = self.http.head(url).send().await;
            if let Ok(r) = resp.and_then(|r| r.error_for_status()) {
                // The header itself: reqwest's content_length() is the body's, empty for HEAD.
                let len = r.headers().get(header::CONTENT_LENGTH);
                let len = len.and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                return len.filter(|n| *n > 0).or(item.size);
            }
        }
        item.size
    }

    /// One request: returns the final size once the whole file is at `dest` (moved there from `part`);
    /// `on_disk` follows the bytes in `part`.
    async fn attempt(
        &self,
        url: &str,
        (part, dest): (&Path, &Path),
        on_disk: &mut u64,
        announced: Option<u64>,
        progress: &Tracker<'_>,
    ) -> Result<u64, AttemptOutcome> {
        if announced.is_some_and(|n| *on_disk > n) {
            *on_disk = truncate(part).await?;
        }
        let mut offset = *on_disk;
        let mut req = self.http.get(url);
        if offset > 0 {
            req = req.header(header::RANGE, format!("bytes={offset}-"));
        }
        let mut resp = req.send().await.map_err(connection)?;
        let status = resp.status();
        let total = match status {
            StatusCode::PARTIAL_CONTENT => {
                let range = content_range(resp.headers()).map_err(fail)?;
                if range.start != offset {
                    *on_disk = truncate(part).await?;
                    return Err(fail(AttemptError::BadRange(format!(
                        "asked for {offset}-, got {}-",
                        range.start
                    ))));
                }
                range.total.or(announced)
            }
            StatusCode::OK => {
                if offset > 0 {
                    // The server ignored Range: start over rather than append the file's beginning.
                    offset = truncate(part).await?;
                    *on_disk = offset;
                }
                resp.content_length().or(announced)
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                let total = content_range(resp.headers()).ok().and_then(|r| r.total);
                if total == Some(offset) && offset > 0 {
                    return tokio::fs::rename(part, dest)
                        .await
                        .map(|()| offset)
                        .map_err(|e| AttemptOutcome::Local(Error::io(dest, e)));
                }
                *on_disk = truncate(part).await?;
                return Err(fail(AttemptError::BadRange(format!(
                    "416 for {offset}-, size {total:?}"
                ))));
            }
            s => return Err(fail(AttemptError::Status(s.as_u16()))),
        };
        progress.emit(
            Event::Started {
                resumed_from: offset,
            },
            offset,
            total,
        );
        let mut out = Spool::append(part, self.buffer);
        let mut written = offset;
        let mut reported = offset;
        let result = loop {
            let chunk = match tokio::time::timeout(self.stall_timeout, resp.chunk()).await {
                Err(_) => break Err(AttemptError::Stalled(self.stall_timeout.as_secs())),
                Ok(Err(e)) => break Err(connection_error(&e)),
                Ok(Ok(None)) => break Ok(()),
                Ok(Ok(Some(chunk))) => chunk,
            };
            let got = written + chunk.len() as u64;
            match total {
                // Never write past the announced size: the body is longer than the file.
                Some(t) if got > t => break Err(AttemptError::SizeMismatch { expected: t, got }),
                None if got > self.max_size => break Err(AttemptError::TooLarge(self.max_size)),
                _ => {}
            }
            if let Err(e) = out.write(&chunk).await {
                return Err(AttemptOutcome::Local(Error::io(part, e)));
            }
            written = got;
            if written - reported >= self.buffer as u64 {
                reported = written;
                progress.emit(Event::Data, written, total);
            }
        };
        let result = result.and(match total {
            Some(t) if t != written => Err(AttemptError::SizeMismatch {
                expected: t,
                got: written,
            }),
            _ => Ok(written),
        });
        // What arrived is valid whatever ended the transfer: kept for the next attempt, or moved to `dest` when
        // complete (the last write and the rename in one step).
        let finished = out.finish(result.is_ok().then_some(dest)).await;
        finished.map_err(|e| AttemptOutcome::Local(Error::io(part, e)))?;
        *on_disk = written;
        result.map_err(fail)
    }
}

enum AttemptOutcome {
    /// The local side failed (disk): no mirror can help.
    Local(Error),
    /// The remote side failed: retry or move on.
    Failed(Failure),
}

fn fail(error: AttemptError) -> AttemptOutcome {
    AttemptOutcome::Failed(Failure { error })
}

fn connection_error(e: &reqwest::Error) -> AttemptError {
    // Without the URL: CDN URLs are long and signed; the item label says which file it was.
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(url.as_str(), "<url>");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    AttemptError::Connection(msg)
}

fn connection(e: reqwest::Error) -> AttemptOutcome {
    fail(connection_error(&e))
}

async fn truncate(part: &Path) -> Result<u64, AttemptOutcome> {
    match tokio::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(part)
        .await
    {
        Ok(_) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(AttemptOutcome::Local(Error::io(part, e))),
    }
}

/// `Content-Range: bytes START-END/TOTAL` (or `bytes */TOTAL` on a 416).
struct ContentRange {
    start: u64,
    total: Option<u64>,
}

fn content_range(headers: &HeaderMap) -> Result<ContentRange, AttemptError> {
    let raw = headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AttemptError::BadRange("missing".into()))?;
    let bad = || AttemptError::BadRange(raw.chars().take(80).collect());
    let spec = raw.trim().strip_prefix("bytes ").ok_or_else(bad)?;
    let (range, total) = spec.split_once('/').ok_or_else(bad)?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().map_err(|_| bad())?),
    };
    let start = match range.trim() {
        "*" => 0,
        r => {
            let (s, e) = r.split_once('-').ok_or_else(bad)?;
            let (s, e) = (
                s.parse::<u64>().map_err(|_| bad())?,
                e.parse::<u64>().map_err(|_| bad())?,
            );
            if e < s || total.is_some_and(|t| e >= t) {
                return Err(bad());
            }
            s
        }
    };
    Ok(ContentRange { start, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str) -> Result<(u64, Option<u64>), AttemptError> {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_RANGE, HeaderValue::from_str(v).unwrap());
        content_range(&h).map(|r| (r.start, r.total))
    }

    #[test]
    fn content_range_forms() {
        assert_eq!(range("bytes 100-199/200").unwrap(), (100, Some(200)));
        assert_eq!(range("bytes 0-0/*").unwrap(), (0, None));
        assert_eq!(range("bytes */1000").unwrap(), (0, Some(1000)));
        for bad in [
            "bytes 5-4/10",
            "bytes 0-10/10",
            "items 0-1/2",
            "bytes x-1/2",
            "bytes 0-1",
        ] {
            assert!(range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn part_path_appends() {
        assert_eq!(
            part_path(Path::new("/d/a.mp4")),
            PathBuf::from("/d/a.mp4.part")
        );
    }
}
