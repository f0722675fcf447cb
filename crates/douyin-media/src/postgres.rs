//! Crawl state in PostgreSQL (feature `postgres`), so that N processes on N machines share one crawl: the archive
//! of fetched items and the listings' cursors ([`Store`]), and a work queue of awemes that workers claim with
//! `FOR UPDATE SKIP LOCKED` under an expiring lease (`crate::shared` walks listings with it).
//!
//! The schema is versioned in table `douyin_schema`: [`MIGRATIONS`]`[n]` takes a database from version `n` to
//! `n + 1`, each in its own transaction under an advisory lock, so workers starting together migrate once and a
//! newer schema is refused rather than damaged. Connections come from a `deadpool-postgres` pool, which replaces a
//! broken connection (a restarted server) on the next checkout.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::future::BoxFuture;
use tokio_postgres::NoTls;

use crate::archive::Record;
use crate::error::Error;
use crate::select::MediaItem;
use crate::store::Store;
use crate::walk::{Hold, Turn, WalkPage};

/// Schema steps, oldest first; never edit a released step, append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: the archive, listing cursors (with whether a shared walk finished) and the work queue.
    "CREATE TABLE douyin_downloads (
        aweme_id   TEXT    NOT NULL,
        kind       TEXT    NOT NULL,
        idx        INTEGER NOT NULL,
        file       TEXT    NOT NULL,
        size       BIGINT  NOT NULL,
        fetched_at BIGINT  NOT NULL,
        PRIMARY KEY (aweme_id, kind, idx)
    );
    CREATE TABLE douyin_listings (
        listing    TEXT    PRIMARY KEY,
        cursor     TEXT    NOT NULL,
        finished   BOOLEAN NOT NULL DEFAULT FALSE,
        updated_at BIGINT  NOT NULL
    );
    CREATE TABLE douyin_queue (
        listing     TEXT        NOT NULL,
        aweme_id    TEXT        NOT NULL,
        seq         BIGSERIAL   NOT NULL,
        aweme       TEXT        NOT NULL,
        state       TEXT        NOT NULL DEFAULT 'pending',
        worker      TEXT,
        lease_until TIMESTAMPTZ,
        attempts    INTEGER     NOT NULL DEFAULT 0,
        done_at     TIMESTAMPTZ,
        PRIMARY KEY (listing, aweme_id)
    );
    CREATE INDEX douyin_queue_open ON douyin_queue (listing, seq) WHERE state <> 'done';",
    // 2: passes over a listing (a walk joined after the last pass finished starts the next one: `crate::walk`).
    "ALTER TABLE douyin_listings ADD COLUMN pass BIGINT NOT NULL DEFAULT 1;",
];

/// A key for `pg_advisory_xact_lock`: migrations run one at a time however many workers start together.
const MIGRATION_LOCK: i64 = 0x646f_7579_696e_0001;

/// The crawl state in one PostgreSQL database. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PgState {
    pub(crate) pool: Pool,
    /// The URL without its password, for messages.
    shown: String,
}

impl std::fmt::Debug for PgState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgState")
            .field("database", &self.shown)
            .finish_non_exhaustive()
    }
}

impl PgState {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`, or a key=value string) and brings
    /// its schema up to date. An unreachable database or a bad URL is [`Error::State`] here, before any request.
    pub async fn connect(url: &str) -> Result<PgState, Error> {
        let shown = without_password(url);
        let bad = |reason: String| Error::State {
            database: shown.clone(),
            reason,
        };
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| bad(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(8)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let state = PgState { pool, shown };
        state.migrate().await?;
        Ok(state)
    }

    /// The database in words (its URL without the password).
    pub fn database(&self) -> &str {
        &self.shown
    }

    /// The schema version of the database (the number of [`MIGRATIONS`] applied).
    pub async fn schema_version(&self) -> Result<i64, Error> {
        let conn = self.conn().await?;
        let row = conn
            .query_one("SELECT COALESCE(MAX(version), 0) FROM douyin_schema", &[])
            .await
            .map_err(|e| self.db(e))?;
        Ok(row.get(0))
    }

    pub(crate) async fn conn(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool.get().await.map_err(|e| Error::State {
            database: self.shown.clone(),
            reason: format!("cannot connect: {}", chain(&e)),
        })
    }

    pub(crate) fn db(&self, e: tokio_postgres::Error) -> Error {
        Error::State {
            database: self.shown.clone(),
            reason: chain(&e),
        }
    }

    async fn migrate(&self) -> Result<(), Error> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await.map_err(|e| self.db(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| self.db(e))?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS douyin_schema (version BIGINT PRIMARY KEY)")
            .await
            .map_err(|e| self.db(e))?;
        let found: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM douyin_schema", &[])
            .await
            .map_err(|e| self.db(e))?
            .get(0);
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(Error::State {
                database: self.shown.clone(),
                reason: format!(
                    "schema version {found} is newer than {supported}: upgrade douyin or use another database"
                ),
            });
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            tx.batch_execute(sql).await.map_err(|e| self.db(e))?;
            tx.execute(
                "INSERT INTO douyin_schema (version) VALUES ($1)",
                &[&(step as i64 + 1)],
            )
            .await
            .map_err(|e| self.db(e))?;
        }
        tx.commit().await.map_err(|e| self.db(e))
    }
}

impl Store for PgState {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn find<'a>(&'a self, item: &'a MediaItem) -> BoxFuture<'a, Result<Option<Record>, Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            let row = conn
                .query_opt(
                    "SELECT aweme_id, kind, idx, file, size, fetched_at FROM douyin_downloads
                     WHERE aweme_id = $1 AND kind = $2 AND idx = $3",
                    &[&item.aweme_id, &item.kind.as_str(), &(item.index as i32)],
                )
                .await
                .map_err(|e| self.db(e))?;
            Ok(row.map(|r| Record {
                aweme_id: r.get(0),
                kind: r.get(1),
                index: r.get::<_, i32>(2).max(0) as u32,
                file: PathBuf::from(r.get::<_, String>(3)),
                size: r.get::<_, i64>(4).max(0) as u64,
                fetched_at: r.get(5),
            }))
        })
    }

    fn record<'a>(
        &'a self,
        item: &'a MediaItem,
        file: &'a Path,
        size: u64,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            conn.execute(
                "INSERT INTO douyin_downloads (aweme_id, kind, idx, file, size, fetched_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (aweme_id, kind, idx) DO UPDATE
                 SET file = EXCLUDED.file, size = EXCLUDED.size, fetched_at = EXCLUDED.fetched_at",
                &[
                    &item.aweme_id,
                    &item.kind.as_str(),
                    &(item.index as i32),
                    &file.to_string_lossy().as_ref(),
                    &i64::try_from(size).unwrap_or(i64::MAX),
                    &now(),
                ],
            )
            .await
            .map(drop)
            .map_err(|e| self.db(e))
        })
    }

    fn recorded(&self) -> BoxFuture<'_, Result<u64, Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            let row = conn
                .query_one("SELECT COUNT(*) FROM douyin_downloads", &[])
                .await
                .map_err(|e| self.db(e))?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }

    fn cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            let row = conn
                .query_opt(
                    "SELECT cursor FROM douyin_listings WHERE listing = $1 AND NOT finished",
                    &[&listing],
                )
                .await
                .map_err(|e| self.db(e))?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn set_cursor<'a>(
        &'a self,
        listing: &'a str,
        cursor: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            conn.execute(
                "INSERT INTO douyin_listings (listing, cursor, finished, updated_at)
                 VALUES ($1, $2, FALSE, $3)
                 ON CONFLICT (listing) DO UPDATE
                 SET cursor = EXCLUDED.cursor, finished = FALSE, updated_at = EXCLUDED.updated_at",
                &[&listing, &cursor, &now()],
            )
            .await
            .map(drop)
            .map_err(|e| self.db(e))
        })
    }

    fn clear_cursor<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let conn = self.conn().await?;
            conn.execute(
                "DELETE FROM douyin_listings WHERE listing = $1",
                &[&listing],
            )
            .await
            .map(drop)
            .map_err(|e| self.db(e))
        })
    }

    fn join_walk<'a>(&'a self, listing: &'a str) -> BoxFuture<'a, Result<i64, Error>> {
        Box::pin(async move {
            let (pass, finished) = self.walk_status(listing).await?;
            Ok(if finished { pass + 1 } else { pass })
        })
    }

    fn take_walk<'a>(
        &'a self,
        listing: &'a str,
        pass: i64,
    ) -> BoxFuture<'a, Result<Turn<'a>, Error>> {
        Box::pin(async move {
            Ok(match self.take_pg_walk(listing, pass).await? {
                PgTurn::Page(cursor, hold) => Turn::Page(WalkPage::new(cursor, hold)),
                PgTurn::Busy => Turn::Busy,
                PgTurn::Finished => Turn::Finished,
            })
        })
    }
}

/// A walker's turn at a listing, with the held connection for a caller that writes more in its transaction.
pub(crate) enum PgTurn {
    Page(Option<String>, Box<PgHold>),
    Busy,
    Finished,
}

/// A listing's row locked in an open transaction on a connection taken out of the pool's reach: dropped without
/// [`PgHold::advance`], the connection is closed, so the server rolls the transaction back and unlocks the row.
pub(crate) struct PgHold {
    state: PgState,
    conn: Option<deadpool_postgres::Object>,
    listing: String,
}

impl PgHold {
    /// The connection in the walk's transaction.
    pub(crate) fn conn(&self) -> &deadpool_postgres::Object {
        self.conn.as_ref().expect("held until advanced or dropped")
    }

    /// Saves `next` (`None`: the pass finished), commits and hands the connection back to the pool.
    pub(crate) async fn advance(mut self, next: Option<String>) -> Result<(), Error> {
        let conn = self.conn.take().expect("held until advanced or dropped");
        let done = next.is_none();
        let cursor = next.unwrap_or_default();
        let saved = async {
            conn.execute(
                "UPDATE douyin_listings SET cursor = $2, finished = $3, updated_at = $4 WHERE listing = $1",
                &[&self.listing, &cursor, &done, &now()],
            )
            .await?;
            conn.batch_execute("COMMIT").await
        }
        .await;
        match saved {
            Ok(()) => Ok(()),
            Err(e) => {
                drop(deadpool_postgres::Object::take(conn));
                Err(self.state.db(e))
            }
        }
    }

    /// Ends the transaction without a change and hands the connection back to the pool.
    async fn release(mut self) {
        let conn = self.conn.take().expect("held until advanced or dropped");
        if conn.batch_execute("ROLLBACK").await.is_err() {
            drop(deadpool_postgres::Object::take(conn));
        }
    }
}

impl Drop for PgHold {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(deadpool_postgres::Object::take(conn));
        }
    }
}

impl<'a> Hold<'a> for PgHold {
    fn advance(self: Box<Self>, next: Option<String>) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(PgHold::advance(*self, next))
    }
}

impl PgState {
    /// The pass `listing` is at and whether it finished (the row is made if it is new).
    pub(crate) async fn walk_status(&self, listing: &str) -> Result<(i64, bool), Error> {
        let conn = self.conn().await?;
        conn.execute(
            "INSERT INTO douyin_listings (listing, cursor, finished, updated_at) VALUES ($1, '', FALSE, $2)
             ON CONFLICT (listing) DO NOTHING",
            &[&listing, &now()],
        )
        .await
        .map_err(|e| self.db(e))?;
        let row = conn
            .query_one(
                "SELECT pass, finished FROM douyin_listings WHERE listing = $1",
                &[&listing],
            )
            .await
            .map_err(|e| self.db(e))?;
        Ok((row.get(0), row.get(1)))
    }

    /// This walker's turn at `listing` in `pass` (see [`crate::walk`]): a later pass than the row's starts it from
    /// the first page.
    pub(crate) async fn take_pg_walk(&self, listing: &str, pass: i64) -> Result<PgTurn, Error> {
        let hold = Box::new(PgHold {
            state: self.clone(),
            conn: Some(self.conn().await?),
            listing: listing.to_owned(),
        });
        let db = |e| self.db(e);
        hold.conn().batch_execute("BEGIN").await.map_err(db)?;
        let row = hold
            .conn()
            .query_opt(
                "SELECT cursor, finished, pass FROM douyin_listings WHERE listing = $1 FOR UPDATE SKIP LOCKED",
                &[&listing],
            )
            .await
            .map_err(db)?;
        let Some(row) = row else {
            PgHold::release(*hold).await;
            return Ok(PgTurn::Busy);
        };
        let (cursor, finished, at): (String, bool, i64) = (row.get(0), row.get(1), row.get(2));
        if at > pass || (at == pass && finished) {
            PgHold::release(*hold).await;
            return Ok(PgTurn::Finished);
        }
        if at < pass {
            hold.conn()
                .execute(
                    "UPDATE douyin_listings SET pass = $2, cursor = '', finished = FALSE, updated_at = $3
                     WHERE listing = $1",
                    &[&listing, &pass, &now()],
                )
                .await
                .map_err(db)?;
            return Ok(PgTurn::Page(None, hold));
        }
        Ok(PgTurn::Page(Some(cursor), hold))
    }
}

/// `url` with any password replaced by `***` (URL form, or `password=` in a key=value string).
pub fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if let Some((userinfo, host)) = authority.rsplit_once('@') {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            let tail = tail.split('?').next().unwrap_or("");
            return format!("{scheme}://{masked}@{host}{tail}");
        }
        return format!("{scheme}://{}", rest.split('?').next().unwrap_or(""));
    }
    url.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An error and its sources in one line: tokio-postgres says only `db error` and keeps the server's own words
/// (`FATAL: the database system is shutting down`) in its source.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            without_password("postgres://crawler:s3cret@db.example:5432/douyin?sslmode=disable"),
            "postgres://crawler:***@db.example:5432/douyin"
        );
        assert_eq!(
            without_password("postgresql://crawler@127.0.0.1/douyin"),
            "postgresql://crawler@127.0.0.1/douyin"
        );
        assert_eq!(
            without_password("host=127.0.0.1 user=crawler password=s3cret dbname=douyin"),
            "host=127.0.0.1 user=crawler password=*** dbname=douyin"
        );
    }
}
