//! Downloads what a Douyin aweme points at — the video without watermark, every picture and live photo of an image
//! post, the music, the cover — resumably, concurrently and with progress, and remembers what it fetched.
//!
//! - [`select()`] reads a typed [`douyin_web::types::Aweme`] and picks the files ([`MediaItem`], each with its mirror
//!   URLs) a [`Selection`] asks for;
//! - [`Planner`] names them from a [`NameTemplate`] (sanitised for Windows, macOS and Linux, never colliding);
//! - [`Downloader`] fetches them: browser-like headers, retries then the next mirror on 403/404/5xx or a dropped
//!   connection, streaming through a fixed buffer to `<name>.part`, resuming with `Range`, verifying the size,
//!   renaming atomically; [`Downloader::fetch_all`] runs a batch under a concurrency limit with progress reports;
//! - [`Archive`] (SQLite) records fetched items, so re-runs skip them even after the files moved, and the cursors of
//!   interrupted listings;
//! - [`Downloads`] puts it together for an application: awemes from `aweme/detail` or saved JSON, or a [`Listing`]
//!   (a user's posts, the posts a user liked, a collection) walked page by page as a `Stream` of
//!   [`AwemeOutcome`]s that resumes at its saved cursor (see [`downloads`]).
//!
//! ```no_run
//! # async fn demo(aweme: douyin_web::types::Aweme) -> Result<(), douyin_media::Error> {
//! use douyin_media::{select, Archive, Downloader, NameTemplate, Planner, Selection};
//!
//! let post = select(&aweme, &Selection::default());
//! let jobs = Planner::new("downloads", NameTemplate::default()).plan(&post);
//! let archive = Archive::open(Archive::default_path().expect("a data directory"))?;
//! let downloader = Downloader::builder().concurrency(4).build()?;
//! for result in downloader.fetch_all(&jobs, Some(&archive), &|u| eprintln!("{} {}/{:?}", u.label, u.bytes, u.total)).await {
//!     println!("{:?}", result?.path);
//! }
//! # Ok(()) }
//! ```

pub mod archive;
pub mod batch;
pub mod downloads;
pub mod error;
pub mod fetch;
pub mod listing;
pub mod name;
mod part;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod progress;
pub mod select;
#[cfg(feature = "postgres")]
pub mod shared;
pub mod store;
pub mod walk;

pub use archive::{Archive, Record};
pub use batch::{Job, Planner};
pub use downloads::{AwemeOutcome, Downloads, FileOutcome};
pub use error::{AttemptError, Error};
pub use fetch::{part_path, Downloader, DownloaderBuilder, Fetched, Outcome};
pub use listing::{Listing, Page};
pub use name::{Emoji, NameTemplate};
pub use progress::{Event, Overall, Update};
pub use select::{select, Codec, MediaItem, MediaKind, Post, Selection, VideoChoice};
pub use store::Store;
pub use walk::{Turn, WalkPage};

/// The README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
