//! The errors of selecting, fetching and archiving media; each `Display` ends with what to do about it.

use std::path::PathBuf;

/// Why one attempt at one mirror failed. Kept small: it travels in progress events and in [`Error::AllMirrorsFailed`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    /// The server answered with a status that is not a success (`403` for an expired or referer-checked URL, `404`,
    /// `5xx`).
    #[error("HTTP {0}")]
    Status(u16),
    /// The connection failed or dropped before the body was complete.
    #[error("connection failed: {0}")]
    Connection(String),
    /// No byte arrived within the stall timeout.
    #[error("no data for {0} s")]
    Stalled(u64),
    /// The body ended at another size than the server or the aweme announced.
    #[error("size mismatch: expected {expected} bytes, got {got}")]
    SizeMismatch {
        /// The size announced (`Content-Length`, `Content-Range` or the aweme's `data_size`).
        expected: u64,
        /// The size received (the `.part` file included) when the body ended or overran.
        got: u64,
    },
    /// The size is unknown and the body went past the downloader's limit ([`crate::DownloaderBuilder::max_size`]).
    #[error("larger than the {0}-byte limit")]
    TooLarge(u64),
    /// A `206` whose `Content-Range` does not start where the request asked, or cannot be read.
    #[error("bad Content-Range: {0}")]
    BadRange(String),
}

impl AttemptError {
    /// Whether repeating the same URL can help: a `403`/`404`/`410` will not change on the same mirror, nor will a
    /// body that runs past the size limit.
    pub fn is_retryable_here(&self) -> bool {
        !matches!(
            self,
            AttemptError::Status(403 | 404 | 410 | 451) | AttemptError::TooLarge(_)
        )
    }
}

/// A failed download, archive operation or selection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The item lists no URL at all.
    #[error("no URL to fetch for {item}: the aweme carries no address for it; fetch the aweme again (aweme/detail)")]
    NoUrl {
        /// The item's label.
        item: String,
    },
    /// Every mirror failed, each after its retries.
    #[error("{item}: every mirror failed (last: {last}); the URLs may have expired: fetch the aweme again and retry")]
    AllMirrorsFailed {
        /// The item's label.
        item: String,
        /// The last attempt's failure.
        last: AttemptError,
        /// How many attempts were made over all mirrors.
        attempts: u32,
    },
    /// Reading or writing a local file failed.
    #[error("{}: {source}; check the directory exists, is writable and the disk has room", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built (an invalid user agent or header value).
    #[error("cannot set up the HTTP client: {0}; check the user agent and referer")]
    Setup(String),
    /// A name template names a placeholder that does not exist.
    #[error("unknown placeholder {{{0}}} in the name template; use {1}")]
    Template(String, &'static str),
    /// The archive database failed.
    #[error("archive {}: {source}; remove or move the file if it is damaged (re-runs then fetch again)", path.display())]
    Archive {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A page of a listing could not be fetched (the request failed or the site refused it); a walk resumed later
    /// starts at this page.
    #[error("{listing}: {source}; run again to resume at the saved page")]
    Listing {
        /// The listing in words ([`crate::Listing::describe`]).
        listing: String,
        /// The web client's error.
        #[source]
        source: Box<douyin_web::Error>,
    },
    /// The crawl state database (PostgreSQL, `--state`) cannot be reached or failed; nothing it did not record as
    /// done is taken as done.
    #[error("crawl state {database}: {reason}; check that the database is running and the URL is right, then run again (claimed items return to the queue when their lease ends)")]
    State {
        /// The database, without its password.
        database: String,
        /// What failed (never a credential).
        reason: String,
    },
    /// The archive was written by a newer version of this library.
    #[error("archive {} has schema version {found}, newer than {supported}; upgrade douyin or use another --archive", path.display())]
    ArchiveTooNew {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
