//! The archive of what was fetched (SQLite): re-runs skip items even after their files moved, and interrupted
//! listings resume from their cursor.
//!
//! The schema is versioned with SQLite's `user_version`: [`MIGRATIONS`]`[n]` takes a database from version `n` to
//! `n + 1`, each in its own transaction, so any older archive is brought up to date on open and a newer one is
//! refused rather than damaged.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Error;
use crate::select::MediaItem;

/// Schema steps, oldest first; never edit a released step, append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: downloads and listing cursors.
    "CREATE TABLE downloads (
        aweme_id   TEXT    NOT NULL,
        kind       TEXT    NOT NULL,
        idx        INTEGER NOT NULL,
        file       TEXT    NOT NULL,
        size       INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (aweme_id, kind, idx)
    ) WITHOUT ROWID;
    CREATE TABLE listings (
        listing    TEXT    PRIMARY KEY,
        cursor     TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;",
];

/// One downloaded item as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The aweme id.
    pub aweme_id: String,
    /// The kind (`video`, `image`, …, as [`crate::MediaKind::as_str`]).
    pub kind: String,
    /// The item's index (images), else 0.
    pub index: u32,
    /// Where the file was written.
    pub file: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// When it was recorded, Unix seconds.
    pub fetched_at: i64,
}

/// An open archive. Calls are short and serialised by a mutex, so one archive serves a whole concurrent batch.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Archive {
    /// `$XDG_DATA_HOME/douyin/archive.sqlite`, else `~/.local/share/douyin/archive.sqlite` (`%LOCALAPPDATA%` on
    /// Windows); `None` when no such directory can be named.
    pub fn default_path() -> Option<PathBuf> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let base = env("XDG_DATA_HOME")
            .or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
            .or_else(|| env("LOCALAPPDATA"))?;
        Some(base.join("douyin").join("archive.sqlite"))
    }

    /// Opens (creating it and its directory if needed) and migrates the archive at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Archive, Error> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(&path).map_err(|e| db(&path, e))?;
        Self::setup(path, conn)
    }

    /// An archive in memory (tests, `--no-archive` runs that still want in-run de-duplication).
    pub fn in_memory() -> Result<Archive, Error> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| db(&path, e))?;
        Self::setup(path, conn)
    }

    fn setup(path: PathBuf, mut conn: Connection) -> Result<Archive, Error> {
        // Two runs may share the archive: wait for the other's write instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| db(&path, e))?;
        if path.as_os_str() != ":memory:" {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| db(&path, e))?;
            // A record per finished file: with WAL, NORMAL syncs at checkpoints instead of on every commit. A crash
            // of the process loses nothing; a power cut may lose the last records, whose files are then found on
            // disk (already present) and recorded again.
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| db(&path, e))?;
        }
        migrate(&path, &mut conn)?;
        Ok(Archive {
            path,
            conn: Mutex::new(conn),
        })
    }

    /// Where the archive lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database (the number of [`MIGRATIONS`] applied).
    pub fn schema_version(&self) -> Result<i64, Error> {
        user_version(&self.path, &self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The record of `item`, if it was fetched before.
    pub fn find(&self, item: &MediaItem) -> Result<Option<Record>, Error> {
        self.lock()
            .query_row(
                "SELECT aweme_id, kind, idx, file, size, fetched_at FROM downloads
                 WHERE aweme_id = ?1 AND kind = ?2 AND idx = ?3",
                params![item.aweme_id, item.kind.as_str(), item.index],
                |r| {
                    Ok(Record {
                        aweme_id: r.get(0)?,
                        kind: r.get(1)?,
                        index: r.get(2)?,
                        file: PathBuf::from(r.get::<_, String>(3)?),
                        size: r.get::<_, i64>(4)?.max(0) as u64,
                        fetched_at: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| db(&self.path, e))
    }

    /// Records that `item` was written to `file` with `size` bytes (replacing an older record of it).
    pub fn record(&self, item: &MediaItem, file: &Path, size: u64) -> Result<(), Error> {
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO downloads (aweme_id, kind, idx, file, size, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    item.aweme_id,
                    item.kind.as_str(),
                    item.index,
                    file.to_string_lossy(),
                    i64::try_from(size).unwrap_or(i64::MAX),
                    now()
                ],
            )
            .map(drop)
            .map_err(|e| db(&self.path, e))
    }

    /// How many items are recorded.
    pub fn len(&self) -> Result<u64, Error> {
        self.lock()
            .query_row("SELECT COUNT(*) FROM downloads", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(|e| db(&self.path, e))
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> Result<bool, Error> {
        self.len().map(|n| n == 0)
    }

    /// The cursor an interrupted listing stopped at (`listing` is the caller's key, e.g. `aweme_post:<sec_uid>`).
    pub fn cursor(&self, listing: &str) -> Result<Option<String>, Error> {
        self.lock()
            .query_row(
                "SELECT cursor FROM listings WHERE listing = ?1",
                [listing],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| db(&self.path, e))
    }

    /// Saves where `listing` has got to.
    pub fn set_cursor(&self, listing: &str, cursor: &str) -> Result<(), Error> {
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO listings (listing, cursor, updated_at) VALUES (?1, ?2, ?3)",
                params![listing, cursor, now()],
            )
            .map(drop)
            .map_err(|e| db(&self.path, e))
    }

    /// Forgets `listing`'s cursor (it ran to the end).
    pub fn clear_cursor(&self, listing: &str) -> Result<(), Error> {
        self.lock()
            .execute("DELETE FROM listings WHERE listing = ?1", [listing])
            .map(drop)
            .map_err(|e| db(&self.path, e))
    }
}

fn db(path: &Path, source: rusqlite::Error) -> Error {
    Error::Archive {
        path: path.to_owned(),
        source,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn user_version(path: &Path, conn: &Connection) -> Result<i64, Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| db(path, e))
}

fn migrate(path: &Path, conn: &mut Connection) -> Result<(), Error> {
    let supported = MIGRATIONS.len() as i64;
    let found = user_version(path, conn)?;
    if found > supported {
        return Err(Error::ArchiveTooNew {
            path: path.to_owned(),
            found,
            supported,
        });
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction().map_err(|e| db(path, e))?;
        tx.execute_batch(sql).map_err(|e| db(path, e))?;
        tx.pragma_update(None, "user_version", step as i64 + 1)
            .map_err(|e| db(path, e))?;
        tx.commit().map_err(|e| db(path, e))?;
    }
    Ok(())
}
