//! One listing crawled by several workers (processes, machines) over one PostgreSQL database (feature `postgres`):
//! whoever gets the listing's row lock (`FOR UPDATE SKIP LOCKED`) fetches its next page and queues the page's
//! wanted awemes in the same transaction as the new cursor; every worker claims queued awemes one at a time under a
//! lease it renews while downloading, records the files in the shared archive, then marks the aweme done.
//!
//! A worker that dies mid-aweme stops renewing: when its lease ends another worker claims the aweme again and
//! resumes its files (`.part`, `Range`) or finds them in the archive, so nothing is fetched twice and nothing is
//! lost. A worker that dies mid-page holds no lock any more (its connection is gone): the page is fetched again.
//! A worker returns when the walk has finished and no aweme is pending or claimed.
//!
//! A re-crawl: a worker that starts when the listing's last pass finished and nothing is left open starts the next
//! pass ([`crate::walk`]) from the first page; awemes already queued (done, or in flight) are not queued again, so
//! only new ones are downloaded, and one that failed for good gets another chance.

use std::time::Duration;

use douyin_web::types::Aweme;

use crate::downloads::{AwemeOutcome, Downloads};
use crate::error::Error;
use crate::listing::Listing;
use crate::postgres::{PgHold, PgState, PgTurn};
use crate::progress::OnUpdate;

/// An aweme failed this many times (a file failed after its retries) is left as `failed` instead of queued again.
const MAX_ATTEMPTS: i32 = 3;

/// One worker's part in a shared crawl: the database, the worker's name (in the queue's `worker` column) and how
/// long a claim lasts without renewal.
#[derive(Clone, Debug)]
pub struct SharedCrawl {
    state: PgState,
    worker: String,
    lease: Duration,
}

/// What one worker did in [`Downloads::shared_listing`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedSummary {
    /// Pages this worker fetched and queued.
    pub pages: u64,
    /// Awemes this worker claimed and finished.
    pub done: u64,
    /// Awemes this worker claimed whose files failed (queued again, or left `failed` after their last attempt).
    pub failed: u64,
    /// Awemes whose lease this worker lost to another (it stopped working on them).
    pub lost: u64,
}

enum Advance {
    /// A page was queued.
    Page,
    /// Another worker holds the listing.
    Busy,
    /// The walk reached its end.
    Finished,
}

impl SharedCrawl {
    /// Worker `worker` of the crawl in `state`, its claims lasting `lease` unless renewed (renewed every third of
    /// it while an aweme downloads).
    pub fn new(state: PgState, worker: impl Into<String>, lease: Duration) -> Self {
        SharedCrawl {
            state,
            worker: worker.into(),
            lease: lease.max(Duration::from_millis(300)),
        }
    }

    /// The database.
    pub fn state(&self) -> &PgState {
        &self.state
    }

    fn lease_secs(&self) -> f64 {
        self.lease.as_secs_f64()
    }

    /// The pass of `key` this worker works on: the current one, or the next when the last finished with nothing
    /// left open (a re-crawl: the walk starts over from the first page and queues only awemes it has not seen).
    async fn join(&self, key: &str) -> Result<i64, Error> {
        let (pass, finished) = self.state.walk_status(key).await?;
        Ok(if finished && self.open(key).await? == 0 {
            pass + 1
        } else {
            pass
        })
    }

    /// The next claimable aweme of `key` (pending, or claimed under a lease that ended), claimed for this worker.
    async fn claim(&self, key: &str) -> Result<Option<(String, String)>, Error> {
        let conn = self.state.conn().await?;
        let row = conn
            .query_opt(
                "UPDATE douyin_queue q
                 SET state = 'claimed', worker = $2, attempts = q.attempts + 1,
                     lease_until = now() + make_interval(secs => $3)
                 FROM (SELECT listing, aweme_id FROM douyin_queue
                       WHERE listing = $1
                         AND (state = 'pending' OR (state = 'claimed' AND lease_until < now()))
                       ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) next
                 WHERE q.listing = next.listing AND q.aweme_id = next.aweme_id
                 RETURNING q.aweme_id, q.aweme",
                &[&key, &self.worker, &self.lease_secs()],
            )
            .await
            .map_err(|e| self.state.db(e))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Extends this worker's claim of `aweme_id`; `false` when it is not this worker's any more.
    async fn renew(&self, key: &str, aweme_id: &str) -> Result<bool, Error> {
        let conn = self.state.conn().await?;
        let n = conn
            .execute(
                "UPDATE douyin_queue SET lease_until = now() + make_interval(secs => $4)
                 WHERE listing = $1 AND aweme_id = $2 AND worker = $3 AND state = 'claimed'",
                &[&key, &aweme_id, &self.worker, &self.lease_secs()],
            )
            .await
            .map_err(|e| self.state.db(e))?;
        Ok(n == 1)
    }

    /// Marks this worker's claim of `aweme_id` done (`ok`), else queues it again (or leaves it `failed` after its
    /// last attempt); `false` when the claim was not this worker's any more.
    async fn finish(&self, key: &str, aweme_id: &str, ok: bool) -> Result<bool, Error> {
        let conn = self.state.conn().await?;
        let sql = if ok {
            "UPDATE douyin_queue SET state = 'done', done_at = now(), lease_until = NULL
             WHERE listing = $1 AND aweme_id = $2 AND worker = $3 AND state = 'claimed'"
        } else {
            "UPDATE douyin_queue
             SET state = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END, lease_until = NULL
             WHERE listing = $1 AND aweme_id = $2 AND worker = $3 AND state = 'claimed'"
        };
        let n = if ok {
            conn.execute(sql, &[&key, &aweme_id, &self.worker]).await
        } else {
            conn.execute(sql, &[&key, &aweme_id, &self.worker, &MAX_ATTEMPTS])
                .await
        }
        .map_err(|e| self.state.db(e))?;
        Ok(n == 1)
    }

    /// How many awemes of `key` are pending or claimed.
    async fn open(&self, key: &str) -> Result<i64, Error> {
        let conn = self.state.conn().await?;
        let row = conn
            .query_one(
                "SELECT COUNT(*) FROM douyin_queue WHERE listing = $1 AND state IN ('pending', 'claimed')",
                &[&key],
            )
            .await
            .map_err(|e| self.state.db(e))?;
        Ok(row.get(0))
    }

    /// How long to wait before looking again when there is nothing to claim.
    fn poll(&self) -> Duration {
        (self.lease / 4).clamp(Duration::from_millis(50), Duration::from_millis(500))
    }
}

impl Downloads {
    /// Works on `listing` with the other workers of `crawl` until it is done (see the [module](self) docs): the
    /// shared database becomes this downloader's archive; `on_aweme` sees each aweme this worker finished or
    /// failed. `since` applies when awemes are queued; `limit` and dry runs do not apply to shared crawls.
    pub async fn shared_listing(
        &mut self,
        client: &douyin_web::Client,
        listing: &Listing,
        crawl: &SharedCrawl,
        on_update: &OnUpdate<'_>,
        on_aweme: &mut (dyn FnMut(&AwemeOutcome) + Send),
    ) -> Result<SharedSummary, Error> {
        self.archive = Some(std::sync::Arc::new(crawl.state.clone()));
        let key = listing.cursor_key();
        let pass = crawl.join(&key).await?;
        let mut summary = SharedSummary::default();
        loop {
            if let Some((aweme_id, text)) = crawl.claim(&key).await? {
                let aweme: Aweme = serde_json::from_str(&text).map_err(|e| Error::State {
                    database: crawl.state.database().to_owned(),
                    reason: format!("queued aweme {aweme_id} is not an aweme: {e}"),
                })?;
                let heartbeat = async {
                    loop {
                        tokio::time::sleep(crawl.lease / 3).await;
                        match crawl.renew(&key, &aweme_id).await {
                            Ok(true) => {}
                            Ok(false) => return None,
                            Err(e) => return Some(e),
                        }
                    }
                };
                let outcomes = tokio::select! {
                    r = self.awemes(vec![aweme], on_update) => r?,
                    lost = heartbeat => match lost {
                        Some(e) => return Err(e),
                        None => { summary.lost += 1; continue; }
                    },
                };
                let ok = !outcomes.iter().any(AwemeOutcome::failed);
                if !crawl.finish(&key, &aweme_id, ok).await? {
                    summary.lost += 1;
                } else if ok {
                    summary.done += 1;
                } else {
                    summary.failed += 1;
                }
                outcomes.iter().for_each(&mut *on_aweme);
                continue;
            }
            match self.advance(client, listing, crawl, &key, pass).await? {
                Advance::Page => summary.pages += 1,
                Advance::Busy => tokio::time::sleep(crawl.poll()).await,
                Advance::Finished if crawl.open(&key).await? == 0 => return Ok(summary),
                // Others hold claims: wait for them to finish, or for a dead worker's lease to end.
                Advance::Finished => tokio::time::sleep(crawl.poll()).await,
            }
        }
    }

    /// Fetches and queues the listing's next page if no other worker holds it.
    async fn advance(
        &self,
        client: &douyin_web::Client,
        listing: &Listing,
        crawl: &SharedCrawl,
        key: &str,
        pass: i64,
    ) -> Result<Advance, Error> {
        let db = |e| crawl.state.db(e);
        let (cursor, hold) = match crawl.state.take_pg_walk(key, pass).await? {
            PgTurn::Page(cursor, hold) => (cursor, hold),
            PgTurn::Busy => return Ok(Advance::Busy),
            PgTurn::Finished => return Ok(Advance::Finished),
        };
        let cursor: i64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        // A failed page rolls back (the hold is dropped): the next attempt asks for the same page.
        let page = listing.page(client, cursor).await?;
        let old = listing.newest_first()
            && page
                .awemes
                .iter()
                .any(|a| a.is_top != Some(1) && !self.wants(a));
        let more = page.has_more && page.next != cursor && page.next != 0;
        for aweme in page.awemes.iter().filter(|a| self.wants(a)) {
            let Some(id) = &aweme.aweme_id else { continue };
            let text = serde_json::to_string(aweme).map_err(|e| Error::State {
                database: crawl.state.database().to_owned(),
                reason: format!("aweme {id} cannot be queued: {e}"),
            })?;
            // Known awemes are not queued again; a re-crawl gives a failed one another chance.
            hold.conn()
                .execute(
                "INSERT INTO douyin_queue (listing, aweme_id, aweme) VALUES ($1, $2, $3)
                 ON CONFLICT (listing, aweme_id) DO UPDATE SET state = 'pending', attempts = 0, aweme = EXCLUDED.aweme
                 WHERE douyin_queue.state = 'failed'",
                &[&key, id, &text],
            )
            .await
            .map_err(db)?;
        }
        PgHold::advance(*hold, (more && !old).then(|| page.next.to_string())).await?;
        Ok(Advance::Page)
    }
}
