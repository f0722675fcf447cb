//! Batches: destination paths that never collide, the archive consulted before and written after each item, and a
//! concurrency limit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use futures::StreamExt;

use crate::error::Error;
use crate::fetch::{part_path, Downloader, Fetched, Outcome};
use crate::name::NameTemplate;
use crate::progress::{Event, OnUpdate, Totals, Tracker};
use crate::select::{MediaItem, Post};
use crate::store::Store;

/// One file to fetch and where to put it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// What to fetch.
    pub item: MediaItem,
    /// The final path (the transfer goes to `<dest>.part` first).
    pub dest: PathBuf,
}

/// Gives each item of a run a path in `dir` from a [`NameTemplate`], unique within the run and never another
/// file's: a name taken by an earlier item of the run, or by a file on disk of a different size than the item
/// announces, gets ` (2)`, ` (3)`, … before its extension.
#[derive(Debug)]
pub struct Planner {
    dir: PathBuf,
    template: NameTemplate,
    taken: HashSet<PathBuf>,
}

impl Planner {
    /// Names files in `dir` with `template`.
    pub fn new(dir: impl Into<PathBuf>, template: NameTemplate) -> Self {
        Planner {
            dir: dir.into(),
            template,
            taken: HashSet::new(),
        }
    }

    /// The jobs for every item of `post`.
    pub fn plan(&mut self, post: &Post) -> Vec<Job> {
        post.items
            .iter()
            .map(|item| {
                let name = self.template.file_name(post, item);
                let dest = self.free_path(&name, item.size);
                Job {
                    item: item.clone(),
                    dest,
                }
            })
            .collect()
    }

    fn free_path(&mut self, name: &str, size: Option<u64>) -> PathBuf {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        for n in 1u32.. {
            let candidate = match n {
                1 => name.to_owned(),
                n => format!("{stem} ({n}).{ext}"),
            };
            let path = self.dir.join(&candidate);
            if self.taken.contains(&path) || occupied_by_another(&path, size) {
                continue;
            }
            self.taken.insert(path.clone());
            return path;
        }
        unreachable!("some suffix is free")
    }
}

/// A file of another size is someone else's; one of the announced size (or of unknown size) is taken to be this
/// item from an earlier run without an archive.
fn occupied_by_another(path: &Path, size: Option<u64>) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) => size.is_some_and(|s| s != meta.len()) || !meta.is_file(),
        Err(_) => false,
    }
}

impl Downloader {
    /// Fetches `jobs`, at most the builder's concurrency at once, reporting to `on_update`. With an `archive`, an item
    /// recorded there is skipped ([`Outcome::InArchive`]) and each fetched one is recorded. Results come back in the
    /// order of `jobs`; one failure does not stop the others.
    pub async fn fetch_all(
        &self,
        jobs: &[Job],
        archive: Option<&dyn Store>,
        on_update: &OnUpdate<'_>,
    ) -> Vec<Result<Fetched, Error>> {
        let totals = Totals::new(jobs.len());
        let totals = &totals;
        let mut results: Vec<(usize, Result<Fetched, Error>)> =
            futures::stream::iter(jobs.iter().enumerate())
                .map(|(index, job)| async move {
                    let tracker = Tracker::new(index, job.item.label(), totals, on_update);
                    let result = self.fetch_recorded(job, archive, &tracker).await;
                    if result.is_err() {
                        tracker.emit(Event::Failed, tracker.bytes(), None);
                    }
                    (index, result)
                })
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    async fn fetch_recorded(
        &self,
        job: &Job,
        archive: Option<&dyn Store>,
        tracker: &Tracker<'_>,
    ) -> Result<Fetched, Error> {
        if let Some(archive) = archive {
            if let Some(record) = archive.find(&job.item).await? {
                tracker.emit(Event::Done, record.size, Some(record.size));
                return Ok(Fetched {
                    path: record.file,
                    size: record.size,
                    outcome: Outcome::InArchive,
                    mirror: 0,
                });
            }
        }
        let fetched = self.fetch_tracked(&job.item, &job.dest, tracker).await?;
        if let Some(archive) = archive {
            archive
                .record(&job.item, &fetched.path, fetched.size)
                .await?;
        }
        Ok(fetched)
    }
}

/// Whether `job` has a `.part` file from an interrupted run (its bytes are kept and resumed).
pub fn has_partial(job: &Job) -> bool {
    part_path(&job.dest).is_file()
}
