//! Downloading awemes as an application wants it: [`Downloads`] takes awemes (from `aweme/detail`, saved JSON or a
//! [`Listing`] it walks page by page), keeps the ones asked for (`since`, `limit`, each aweme once), selects and
//! names their files, fetches them concurrently with progress reports, records them in the archive
//! ([`crate::Archive`], or any [`Store`]) and, for a listing, saves the cursor of each finished page so an interrupted
//! walk resumes there.
//!
//! A user's posts, against the project's mock server here (its awemes point at its own media files); for the real
//! site, build the client with `douyin_web::Client::new(session)`:
//!
//! ```
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = douyin_mock::MockServer::start_with(douyin_mock::MockConfig::default().local_media(true)).await;
//! # let base_url = mock.base_url("web");
//! # let dir = tempfile::tempdir()?;
//! # let dir = dir.path();
//! use douyin_media::{Archive, Downloader, Downloads, Listing, Outcome, Update};
//! use douyin_web::{WebSession, XBogusSigner};
//! use futures::StreamExt;
//!
//! let session = WebSession::with_default_user_agent("sessionid=test").ms_token("test-ms-token");
//! let client: douyin_web::Client =
//!     douyin_web::builder(session, XBogusSigner::default()).base_url(&base_url).build()?.into();
//! let archive = Archive::open(dir.join("archive.sqlite"))?;
//! let mut downloads = Downloads::new(Downloader::builder().build()?, dir).archive(archive).limit(2);
//! let posts = Listing::Posts("MS4wLjABAAAAWP5yJJm9n_Nmmk0E".into());
//! let on_update = |u: &Update<'_>| eprintln!("{}: {} of {:?} bytes", u.label, u.bytes, u.total);
//!
//! let mut fetched = 0;
//! let mut awemes = std::pin::pin!(downloads.listing(&client, &posts, &on_update));
//! while let Some(aweme) = awemes.next().await {
//!     for file in aweme?.files {
//!         let file = file.result?;
//!         println!("{} ({} bytes)", file.path.display(), file.size);
//!         fetched += usize::from(matches!(file.outcome, Outcome::Fetched { .. }));
//!     }
//! }
//! assert_eq!(fetched, 2); // two posts' videos; a second walk finds them in the archive
//! # Ok(()) }
//! ```

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use douyin_web::types::Aweme;
use futures::Stream;

use crate::batch::{Job, Planner};
use crate::error::Error;
use crate::fetch::{part_path, Downloader, Fetched, Outcome};
use crate::listing::Listing;
use crate::name::NameTemplate;
use crate::progress::OnUpdate;
use crate::select::{select, MediaItem, MediaKind, Post, Selection};
use crate::store::Store;

/// One file of an aweme and what became of it.
#[derive(Debug)]
#[non_exhaustive]
pub struct FileOutcome {
    /// What was to be fetched, and where.
    pub job: Job,
    /// The file, or why not. In a dry run: [`Outcome::Planned`], or [`Outcome::InArchive`] with the recorded file.
    pub result: Result<Fetched, Error>,
}

/// One aweme and its files.
#[derive(Debug)]
#[non_exhaustive]
pub struct AwemeOutcome {
    /// The aweme as received.
    pub aweme: Aweme,
    /// What was selected from it.
    pub post: Post,
    /// Its files in the order selected (none when the aweme carries no address for the kinds asked).
    pub files: Vec<FileOutcome>,
}

impl AwemeOutcome {
    /// Whether some file failed.
    pub fn failed(&self) -> bool {
        self.files.iter().any(|f| f.result.is_err())
    }
}

/// Downloads awemes: what to fetch of each, where, which awemes, and the archive. See the [module](self) docs.
#[derive(Debug)]
pub struct Downloads {
    downloader: Downloader,
    dir: PathBuf,
    template: NameTemplate,
    planner: Planner,
    selection: Selection,
    pub(crate) archive: Option<Arc<dyn Store>>,
    since: Option<i64>,
    limit: Option<u64>,
    metadata: bool,
    dry_run: bool,
    /// Awemes taken since the last listing started, against `limit`.
    taken: u64,
    /// Awemes already taken: one named twice (or liked and posted) is fetched once.
    seen: HashSet<String>,
}

impl Downloads {
    /// Downloads with `downloader` into `dir`, named by the default template, the default [`Selection`], no archive.
    pub fn new(downloader: Downloader, dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Downloads {
            downloader,
            planner: Planner::new(&dir, NameTemplate::default()),
            dir,
            template: NameTemplate::default(),
            selection: Selection::default(),
            archive: None,
            since: None,
            limit: None,
            metadata: false,
            dry_run: false,
            taken: 0,
            seen: HashSet::new(),
        }
    }

    /// Names files with `template`.
    pub fn template(mut self, template: NameTemplate) -> Self {
        self.planner = Planner::new(&self.dir, template.clone());
        self.template = template;
        self
    }

    /// Fetches what `selection` asks for of each aweme.
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Skips what `archive` records, records what is fetched, and keeps listings' cursors there: the SQLite
    /// [`crate::Archive`], or any other [`Store`].
    pub fn archive(mut self, archive: impl Store + 'static) -> Self {
        self.archive = Some(Arc::new(archive));
        self
    }

    /// [`Downloads::archive`] with a store shared with other owners.
    pub fn shared_archive(mut self, archive: Arc<dyn Store>) -> Self {
        self.archive = Some(archive);
        self
    }

    /// Only awemes published at or after `unix_seconds` (pinned posts always); a user's posts, newest first, end at
    /// the first older one.
    pub fn since(mut self, unix_seconds: i64) -> Self {
        self.since = Some(unix_seconds);
        self
    }

    /// At most `n` awemes from each listing, and `n` from [`Downloads::awemes`] calls together.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Writes each aweme's JSON (lossless) beside its files as `<name>.json`.
    pub fn metadata(mut self, on: bool) -> Self {
        self.metadata = on;
        self
    }

    /// Fetches and records nothing: each file's result says what would happen ([`Outcome::Planned`] or
    /// [`Outcome::InArchive`]); listings save no cursor.
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// The archive, if any.
    pub fn archive_ref(&self) -> Option<&dyn Store> {
        self.archive.as_deref()
    }

    /// Whether `aweme` is wanted (`since`; pinned posts always).
    pub(crate) fn wants(&self, aweme: &Aweme) -> bool {
        aweme.is_top == Some(1)
            || self
                .since
                .is_none_or(|s| aweme.create_time.is_some_and(|t| t >= s))
    }

    fn limit_reached(&self) -> bool {
        self.limit.is_some_and(|l| self.taken >= l)
    }

    /// Fetches the files of the wanted `awemes` (at most the downloader's concurrency at once), reporting to
    /// `on_update`; one outcome per aweme taken, in order. `Err` only when the metadata or the archive cannot be
    /// written; a file's failure is in its outcome.
    pub async fn awemes(
        &mut self,
        awemes: Vec<Aweme>,
        on_update: &OnUpdate<'_>,
    ) -> Result<Vec<AwemeOutcome>, Error> {
        let mut taken: Vec<(Aweme, Post, Vec<Job>)> = Vec::new();
        for aweme in awemes {
            if self.limit_reached() {
                break;
            }
            if !self.wants(&aweme) {
                continue;
            }
            if let Some(id) = &aweme.aweme_id {
                if !self.seen.insert(id.clone()) {
                    continue;
                }
            }
            self.taken += 1;
            let post = select(&aweme, &self.selection);
            let jobs = self.planner.plan(&post);
            taken.push((aweme, post, jobs));
        }
        let jobs: Vec<Job> = taken
            .iter()
            .flat_map(|(_, _, j)| j.iter().cloned())
            .collect();
        let mut results = if self.dry_run {
            self.plan_only(&jobs).await?
        } else {
            if self.metadata {
                for (aweme, post, _) in &taken {
                    write_metadata(&self.dir, &self.template, post, aweme)?;
                }
            }
            let archive = self.archive.as_deref();
            self.downloader.fetch_all(&jobs, archive, on_update).await
        }
        .into_iter();
        Ok(taken
            .into_iter()
            .map(|(aweme, post, jobs)| AwemeOutcome {
                aweme,
                post,
                files: jobs
                    .into_iter()
                    .map(|job| FileOutcome {
                        job,
                        result: results.next().expect("one result per job"),
                    })
                    .collect(),
            })
            .collect())
    }

    /// What a dry run reports for `jobs`.
    async fn plan_only(&self, jobs: &[Job]) -> Result<Vec<Result<Fetched, Error>>, Error> {
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let recorded = match &self.archive {
                Some(a) => a.find(&job.item).await?,
                None => None,
            };
            out.push(Ok(match recorded {
                Some(r) => Fetched {
                    path: r.file,
                    size: r.size,
                    outcome: Outcome::InArchive,
                    mirror: 0,
                },
                None => Fetched {
                    path: job.dest.clone(),
                    size: job.item.size.unwrap_or(0),
                    outcome: Outcome::Planned,
                    mirror: 0,
                },
            }));
        }
        Ok(out)
    }

    /// Every wanted aweme of `listing`, page by page from the cursor the archive saved (else the first page): each
    /// page's files are fetched before the next page is asked for, and once all of them are, the next page's
    /// cursor is saved (the last page clears it). The stream ends after the last page, at `since` (a user's posts),
    /// at `limit`, or after a page with a failed file (its outcome says which; the next walk lists that page
    /// again). A page that cannot be fetched is an [`Error::Listing`] item, then the end.
    pub fn listing<'a>(
        &'a mut self,
        client: &'a douyin_web::Client,
        listing: &'a Listing,
        on_update: &'a OnUpdate<'a>,
    ) -> impl Stream<Item = Result<AwemeOutcome, Error>> + 'a {
        self.taken = 0;
        let walk = Walk {
            downloads: self,
            client,
            listing,
            on_update,
            cursor: None,
            ready: VecDeque::new(),
            done: false,
        };
        futures::stream::unfold(walk, |mut walk| async move {
            loop {
                if let Some(outcome) = walk.ready.pop_front() {
                    return Some((Ok(outcome), walk));
                }
                if walk.done {
                    return None;
                }
                if let Err(e) = walk.next_page().await {
                    walk.done = true;
                    return Some((Err(e), walk));
                }
            }
        })
    }
}

/// A listing being walked.
struct Walk<'a> {
    downloads: &'a mut Downloads,
    client: &'a douyin_web::Client,
    listing: &'a Listing,
    on_update: &'a OnUpdate<'a>,
    /// The page to ask for next; `None` before the saved cursor is read.
    cursor: Option<i64>,
    ready: VecDeque<AwemeOutcome>,
    done: bool,
}

impl Walk<'_> {
    /// Fetches the next page and its files into `ready`.
    async fn next_page(&mut self) -> Result<(), Error> {
        let key = self.listing.cursor_key();
        let cursor = match self.cursor {
            Some(c) => c,
            None => match &self.downloads.archive {
                Some(a) => a
                    .cursor(&key)
                    .await?
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0),
                None => 0,
            },
        };
        let page = self.listing.page(self.client, cursor).await?;
        let d = &mut *self.downloads;
        let old = self.listing.newest_first()
            && page
                .awemes
                .iter()
                .any(|a| a.is_top != Some(1) && !d.wants(a));
        let outcomes = d.awemes(page.awemes, self.on_update).await?;
        let more = page.has_more && page.next != cursor && page.next != 0;
        let stop = !more || old || d.limit_reached();
        let page_ok = !outcomes.iter().any(AwemeOutcome::failed);
        if let Some(a) = d.archive.as_ref().filter(|_| page_ok && !d.dry_run) {
            if stop {
                a.clear_cursor(&key).await?;
            } else {
                a.set_cursor(&key, &page.next.to_string()).await?;
            }
        }
        self.ready.extend(outcomes);
        self.done = stop || !page_ok;
        self.cursor = Some(page.next);
        Ok(())
    }
}

/// `<name>.json` beside the aweme's files: the aweme as received (the typed value re-encodes losslessly).
fn write_metadata(
    dir: &Path,
    template: &NameTemplate,
    post: &Post,
    aweme: &Aweme,
) -> Result<(), Error> {
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
    let json =
        serde_json::to_vec_pretty(aweme).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = part_path(&path);
    std::fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}
